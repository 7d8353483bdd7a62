import type { Logger } from "pino";
import type { KickReason } from "../protocol/user-events.ts";
import type { LocalDevice } from "./device-session.ts";
import type { LoginGrant } from "./login-grant.ts";

/**
 * Why a device went offline, numbered as NIM's data sync numbers logout reasons (1 logout,
 * 2 disconnect, 3 kicked by the user's other device, 4 kicked by the multi-device policy), plus
 * Nimbus's 5 for a kick by the app server.
 */
export type OfflineReason = { code: 1; why: "logout" } | { code: 2; why: "disconnect" } | { code: KickReason; why: "kicked" };

export type DeviceListener = (device: LocalDevice) => void | Promise<void>;
export type OfflineListener = (device: LocalDevice, reason: OfflineReason) => void | Promise<void>;

/**
 * Runs before a seat is reserved for a login whose token checked out. Throw a NimbusError to
 * refuse the login with that code (the device sees it as the connect error).
 */
export type Admission = (login: LoginGrant) => void | Promise<void>;

/**
 * The gateway's device lifecycle extension points, for the multi-device policy and the
 * cluster-wide device registry: listeners are called in order, and a listener that throws or
 * rejects is logged, never allowed to break a login or a disconnect. (DESIGN's "hooks" are the
 * app server's callbacks and data sync, another thing.)
 */
export class DeviceLifecycle {
  private readonly online: DeviceListener[] = [];
  private readonly offline: OfflineListener[] = [];
  admission: Admission | undefined;

  constructor(private readonly log: Logger) {}

  onDeviceOnline(listener: DeviceListener): () => void {
    return add(this.online, listener);
  }

  onDeviceOffline(listener: OfflineListener): () => void {
    return add(this.offline, listener);
  }

  deviceOnline(device: LocalDevice): void {
    for (const l of this.online) this.run(() => l(device), "device online hook failed");
  }

  deviceOffline(device: LocalDevice, reason: OfflineReason): void {
    for (const l of this.offline) this.run(() => l(device, reason), "device offline hook failed");
  }

  private run(call: () => void | Promise<void>, what: string): void {
    try {
      const r = call();
      if (r) r.catch((err: unknown) => this.log.error({ err }, what));
    } catch (err) {
      this.log.error({ err }, what);
    }
  }
}

function add<T>(list: T[], item: T): () => void {
  list.push(item);
  return () => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  };
}
