import type { ClientType } from "../../src/protocol/link.ts";
import type { DeviceRecord, MultiDevicePolicy } from "../../src/contracts/devices.ts";

export type { DeviceRecord, MultiDevicePolicy };
import { clientCategory } from "../../src/protocol/client-category.ts";
import { KickReason } from "../../src/protocol/user-events.ts";

/** NIM's policy 3 ceiling. */
export const MAX_DEVICES = 10;

/** A login or logout, as data sync and online-status subscriptions will report it. */
export interface LoginEvent {
  at: number;
  event: "login" | "logout";
  sessionId: string;
  deviceId: string;
  clientType: ClientType;
  ip: string;
  sdkVersion?: string;
  customTag?: string;
  /** For a logout: NIM's reason (1 logout, 2 disconnect, 3/4 kicked by a device or the policy, 5 by the app server). */
  reason?: number;
}

/** How many login events an account keeps. */
export const LOGIN_HISTORY = 50;

export interface Eviction {
  device: DeviceRecord;
  reason: KickReason;
}

/**
 * Admits a new login under the app's policy and says who must go. The newer login always wins,
 * as in NIM: an older session of the same device id is replaced (4); under policy 1 every other
 * device is kicked by this one (3); under policy 2 the other devices of the same class — desktop
 * or mobile — are (4); under policy 3 the oldest go once there are more than ten (4).
 */
export function admitDevice(
  current: readonly DeviceRecord[],
  incoming: DeviceRecord,
  policy: MultiDevicePolicy,
): { devices: DeviceRecord[]; evicted: Eviction[] } {
  const evicted: Eviction[] = [];
  const kept: DeviceRecord[] = [];
  for (const d of current) {
    if (d.sessionId === incoming.sessionId) continue; // the same login reported twice
    if (d.deviceId === incoming.deviceId) evicted.push({ device: d, reason: KickReason.POLICY });
    else if (policy === 1) evicted.push({ device: d, reason: KickReason.OTHER_DEVICE });
    else if (policy === 2 && clientCategory(d.clientType) === clientCategory(incoming.clientType))
      evicted.push({ device: d, reason: KickReason.POLICY });
    else kept.push(d);
  }
  if (policy === 3) {
    kept.sort((a, b) => a.loginTime - b.loginTime);
    while (kept.length >= MAX_DEVICES) evicted.push({ device: kept.shift()!, reason: KickReason.POLICY });
  }
  return { devices: [...kept, incoming], evicted };
}
