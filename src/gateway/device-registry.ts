import type { Logger } from "pino";
import type { AppRegistry } from "../apps/registry.ts";
import type { OnlineDevice, PresenceView } from "../contracts/presence.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { userAddress } from "../contracts/user.ts";
import type { DeviceRecord } from "../contracts/devices.ts";
import type { Gateway } from "./gateway.ts";

/**
 * Connects this node's gateway to the cluster-wide device registry in each user's actor: every
 * login and logout here is reported there, where the app's multi-device policy decides who is
 * kicked (by a `kick` user event, which reaches the kicked device on whichever node holds it).
 */
export function linkDeviceRegistry(
  gateway: Gateway,
  deps: { system: ActorSystem; apps: AppRegistry; nodeStartedAt: number; log: Logger },
): void {
  gateway.onDeviceOnline(async (d) => {
    const app = deps.apps.get(d.appKey);
    if (!app) return;
    const device: DeviceRecord = {
      sessionId: d.sessionId,
      deviceId: d.deviceId,
      clientType: d.clientType,
      nodeId: d.nodeId,
      nodeStartedAt: deps.nodeStartedAt,
      loginTime: d.loginTime,
      ip: d.ip,
      ...(d.sdkVersion !== undefined && { sdkVersion: d.sdkVersion }),
      ...(d.customTag !== undefined && { customTag: d.customTag }),
    };
    await deps.system.ask(userAddress(d.appKey, d.accid), {
      t: "deviceOnline",
      device,
      policy: app.limits.multiDevicePolicy,
      retainDays: app.limits.historyDays,
    });
  });
  gateway.onDeviceOffline(async (d, reason) => {
    const retainDays = deps.apps.get(d.appKey)?.limits.historyDays;
    await deps.system.ask(userAddress(d.appKey, d.accid), {
      t: "deviceOffline",
      sessionId: d.sessionId,
      reason: reason.code,
      ...(retainDays !== undefined && { retainDays }),
    });
  });
}

/** Who is online anywhere in the cluster, from the users' device registries. */
export function clusterPresenceView(system: ActorSystem): PresenceView {
  return {
    async devicesOf(appKey: string, accid: string): Promise<OnlineDevice[]> {
      const devices = await system.ask(userAddress(appKey, accid), { t: "devices" });
      return devices.map((d) => ({ clientType: d.clientType, loginTime: d.loginTime, deviceId: d.deviceId }));
    },
  };
}
