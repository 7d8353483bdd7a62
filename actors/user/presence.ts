import { PresenceValue, type PresenceChange } from "../../src/protocol/presence-events.ts";
import type { DeviceRecord, LoginEvent } from "./devices.ts";

/**
 * What subscribers hear of this account's logins and logouts: one PresenceChange per login event,
 * numbered on from `seq`, each with the client types online right after it.
 */
export function presenceChanges(
  accid: string,
  before: readonly DeviceRecord[],
  events: readonly LoginEvent[],
  seq: number,
): PresenceChange[] {
  const online = new Map(before.map((d) => [d.sessionId, d.clientType as string]));
  return events.map((e, i) => {
    if (e.event === "login") online.set(e.sessionId, e.clientType);
    else online.delete(e.sessionId);
    const value = e.event === "login" ? PresenceValue.LOGIN : e.reason === 2 ? PresenceValue.DISCONNECT : PresenceValue.LOGOUT;
    return {
      accid,
      eventType: 1,
      seq: seq + i + 1,
      value,
      online: online.size > 0,
      clientTypes: clientTypesOf(online.values()),
      clientType: e.clientType,
      ...(e.event === "logout" && e.reason !== undefined && { reason: e.reason }),
      time: e.at,
    };
  });
}

/** The account's state now, as a sync after subscribing or after the subscriber's login. */
export function presenceNow(accid: string, devices: readonly DeviceRecord[], seq: number, since: number): PresenceChange {
  const online = devices.length > 0;
  return {
    accid,
    eventType: 1,
    seq,
    value: online ? PresenceValue.LOGIN : PresenceValue.LOGOUT,
    online,
    clientTypes: clientTypesOf(devices.map((d) => d.clientType)),
    time: since,
    sync: true,
  };
}

/** Each type once, sorted: the same set reads the same. */
function clientTypesOf(types: Iterable<string>): string[] {
  return [...new Set(types)].sort();
}
