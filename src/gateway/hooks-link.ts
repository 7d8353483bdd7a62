import type { AppHooks } from "../hooks/mod.ts";
import type { Gateway } from "./gateway.ts";

/**
 * The app server's hooks on the realtime link: the login callback (36) before a seat is given,
 * and data sync of logins (2) and logouts (3, with the device's offline reason as logOutReason).
 */
export function linkHooks(gateway: Gateway, hooks: AppHooks): void {
  gateway.setAdmission((grant) => hooks.admitLogin(grant));
  gateway.onDeviceOnline((d) => hooks.deviceOnline(d.appKey, d, d.loginTime));
  gateway.onDeviceOffline((d, reason) => hooks.deviceOffline(d.appKey, d, reason.code, Date.now()));
}
