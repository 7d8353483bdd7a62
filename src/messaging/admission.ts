import {
  ADMITTED,
  BLACKLISTED,
  STANDING_QUESTION,
  TEAM_STANDING_QUESTION,
  userAddress,
  type Admission,
  type AdmissionView,
  type SenderStanding,
} from "../contracts/user.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { NimbusError } from "../protocol/errors.ts";

/**
 * Whether `from` may send `to` a p2p message. In NIM's order: both accounts exist (404), the
 * sender is not blocked (422) nor muted — globally or for p2p — (423), and the recipient has not
 * blacklisted the sender. NIM's client SDK reports the last one as 7101; the server API has no
 * code of its own for it, so Nimbus answers 403 "blacklisted by <to>".
 *
 * A user actor active on this node shares its saved standing and blacklist (AdmissionView), read
 * here without a mailbox turn; only the side that is not active here is asked. Undefined when
 * admitted at once, a promise when it had to ask; throws or rejects with the refusal.
 */
export function admitSend(system: ActorSystem, appKey: string, from: string, to: string): Promise<void> | undefined {
  const fromAddress = userAddress(appKey, from);
  const toAddress = userAddress(appKey, to);
  const standing = system.sharedView<AdmissionView>(fromAddress)?.standing;
  const recipient = system.sharedView<AdmissionView>(toAddress);
  const admission = recipient && (recipient.blacklist.has(from) ? BLACKLISTED : ADMITTED);
  if (standing !== undefined && admission !== undefined) return judge(from, to, standing, admission);
  return Promise.all([
    standing ?? system.ask(fromAddress, STANDING_QUESTION),
    admission ?? system.ask(toAddress, { t: "admits", from }),
  ]).then(([s, a]) => judge(from, to, s, a));
}

function judge(from: string, to: string, standing: SenderStanding | null, admission: Admission | null): undefined {
  if (!standing) throw new NimbusError("NOT_FOUND", `from: account ${from} does not exist`);
  if (!admission) throw new NimbusError("NOT_FOUND", `to: account ${to} does not exist`);
  if (standing === "blocked") throw new NimbusError("ACCOUNT_DISABLED", `from: account ${from} is blocked`);
  if (standing === "muted") throw new NimbusError("ACCOUNT_MUTED", `from: account ${from} is muted`);
  if (admission.blacklisted) throw new NimbusError("FORBIDDEN", `blacklisted by ${to}`);
  return undefined;
}

/**
 * Whether `from` may send team messages: the account exists (404), is not blocked (422) nor muted —
 * globally or for teams — (423). Read from the sender's AdmissionView when its user actor is active
 * on this node, as a p2p send does; asked only otherwise. Membership and team mutes are the team
 * actor's to check, in the turn of the append.
 */
export function admitTeamSender(system: ActorSystem, appKey: string, from: string): Promise<void> | undefined {
  const address = userAddress(appKey, from);
  const standing = system.sharedView<AdmissionView>(address)?.teamStanding;
  if (standing !== undefined) return judgeSender(from, standing);
  return system.ask(address, TEAM_STANDING_QUESTION).then((s) => judgeSender(from, s));
}

function judgeSender(from: string, standing: SenderStanding | null): undefined {
  if (!standing) throw new NimbusError("NOT_FOUND", `from: account ${from} does not exist`);
  if (standing === "blocked") throw new NimbusError("ACCOUNT_DISABLED", `from: account ${from} is blocked`);
  if (standing === "muted") throw new NimbusError("ACCOUNT_MUTED", `from: account ${from} is muted`);
  return undefined;
}

/** Both accounts exist (404 naming the one that does not). */
export async function requireAccounts(system: ActorSystem, appKey: string, accounts: { field: string; accid: string }[]): Promise<void> {
  const records = await Promise.all(accounts.map((a) => system.ask(userAddress(appKey, a.accid), { t: "get" })));
  records.forEach((r, i) => {
    const a = accounts[i]!;
    if (!r) throw new NimbusError("NOT_FOUND", `${a.field}: account ${a.accid} does not exist`);
  });
}
