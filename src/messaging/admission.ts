import { STANDING_QUESTION, userAddress, type Admission, type SenderStanding, type UserRecord } from "../../actors/user-protocol.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { NimbusError } from "../util/errors.ts";

/**
 * Whether `from` may send `to` a p2p message, asked of both user actors at once. In NIM's order:
 * both accounts exist (404), the sender is not blocked (422) nor muted — globally or for p2p —
 * (423), and the recipient has not blacklisted the sender. NIM's client SDK reports the last one
 * as 7101; the server API has no code of its own for it, so Nimbus answers 403 "blacklisted by
 * <to>".
 */
export async function admitSend(system: ActorSystem, appKey: string, from: string, to: string): Promise<void> {
  const [standing, admission] = await Promise.all([
    system.ask<SenderStanding | null>(userAddress(appKey, from), STANDING_QUESTION),
    system.ask<Admission | null>(userAddress(appKey, to), { t: "admits", from }),
  ]);
  if (!standing) throw new NimbusError("NOT_FOUND", `from: account ${from} does not exist`);
  if (!admission) throw new NimbusError("NOT_FOUND", `to: account ${to} does not exist`);
  if (standing === "blocked") throw new NimbusError("ACCOUNT_DISABLED", `from: account ${from} is blocked`);
  if (standing === "muted") throw new NimbusError("ACCOUNT_MUTED", `from: account ${from} is muted`);
  if (admission.blacklisted) throw new NimbusError("FORBIDDEN", `blacklisted by ${to}`);
}

/** Both accounts exist (404 naming the one that does not). */
export async function requireAccounts(system: ActorSystem, appKey: string, accounts: { field: string; accid: string }[]): Promise<void> {
  const records = await Promise.all(accounts.map((a) => system.ask<UserRecord | null>(userAddress(appKey, a.accid), { t: "get" })));
  records.forEach((r, i) => {
    const a = accounts[i]!;
    if (!r) throw new NimbusError("NOT_FOUND", `${a.field}: account ${a.accid} does not exist`);
  });
}
