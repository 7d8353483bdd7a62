import { z } from "zod";
import type { AppRegistry } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { NimbusError } from "../protocol/errors.ts";
import { ACCID_PATTERN } from "../protocol/accid.ts";
import { userAddress } from "../contracts/user.ts";
import { CLIENT_TYPES } from "../protocol/link.ts";
import type { LoginGrant } from "./login-grant.ts";
import type { LoginLockoutPolicy } from "../contracts/user.ts";
import { lockedOut } from "./login-throttle.ts";

/** The join options as NIM limits them: accid ≤32, token ≤128 (NIM's), device id ≤128. */
const joinOptions = z.object({
  appKey: z.string({ error: "required" }).min(1, "required").max(64, "too long"),
  accid: z.string({ error: "required" }).regex(ACCID_PATTERN, "1 to 32 of letters, digits and _ @ . -"),
  token: z.string({ error: "required" }).min(1, "required").max(128, "too long: at most 128 characters"),
  deviceId: z.string({ error: "required" }).min(1, "required").max(128, "too long: at most 128 characters"),
  clientType: z
    .string({ error: "required" })
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(CLIENT_TYPES, { error: `must be one of ${CLIENT_TYPES.join(", ")}` })),
  sdkVersion: z.string({ error: "must be a string" }).max(64, "too long: at most 64 characters").optional(),
  customTag: z.string({ error: "must be a string" }).max(64, "too long: at most 64 characters").optional(),
});

export interface LoginDeps {
  apps: AppRegistry;
  system: ActorSystem;
  /** Wrong tokens the account may take before its logins are locked (counted by its user actor). */
  lockout: LoginLockoutPolicy;
}

/**
 * Checks a login as NIM does, in NIM's order and with NIM's codes: malformed options 414, an
 * unknown app 403, no such account 404, a wrong token 302 (also for a blocked account, so a wrong
 * token never learns the account is blocked), a blocked account 422. An account locked after too
 * many wrong tokens answers 416 whatever the token.
 */
export async function checkLogin(deps: LoginDeps, body: unknown, ip: string): Promise<LoginGrant> {
  const parsed = joinOptions.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join(".") || "join options";
    throw new NimbusError("PARAM_ERROR", `${where}: ${issue?.message ?? "invalid"}`);
  }
  const o = parsed.data;
  if (!deps.apps.get(o.appKey)) throw new NimbusError("FORBIDDEN", `unknown appKey ${o.appKey}`);
  const accid = o.accid.toLowerCase();
  // One question, one turn of the user actor: whether the account exists, the token and lockout
  // check, and whether it is blocked (a `get` besides cost a second ask per login: issue 24).
  const check = await deps.system.ask(userAddress(o.appKey, accid), { t: "verifyToken", token: o.token, lockout: deps.lockout });
  if (check.missing) throw new NimbusError("NOT_FOUND", `account ${accid} does not exist`);
  if (check.lockedForMs > 0) throw lockedOut(`for account ${accid}`, check.lockedForMs);
  if (!check.ok) throw new NimbusError("LOGIN_FAILED", "wrong token for this account");
  if (check.blocked) throw new NimbusError("ACCOUNT_DISABLED", `account ${accid} is blocked`);
  return {
    appKey: o.appKey,
    accid,
    deviceId: o.deviceId,
    clientType: o.clientType,
    ip,
    ...(o.sdkVersion !== undefined && { sdkVersion: o.sdkVersion }),
    ...(o.customTag !== undefined && { customTag: o.customTag }),
  };
}
