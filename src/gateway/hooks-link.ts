import type { AppHooks, TeamCallbacks } from "../hooks/mod.ts";
import type { Gateway } from "./gateway.ts";

/**
 * The app server's hooks on the realtime link: the login callback (36) before a seat is given,
 * data sync of logins (2) and logouts (3, with the device's offline reason as logOutReason), and
 * the callbacks before a device's team operations (7–19).
 */
export function linkHooks(gateway: Gateway, hooks: AppHooks, teamCallbacks: TeamCallbacks): void {
  gateway.setTeamOperationCheck((origin, operation) => teamCallbacks.check(origin, operation));
  gateway.setAdmission((grant) => hooks.admitLogin(grant));
  gateway.onDeviceOnline((d) => hooks.deviceOnline(d.appKey, d, d.loginTime));
  gateway.onDeviceOffline((d, reason) => hooks.deviceOffline(d.appKey, d, reason.code, Date.now()));
}
