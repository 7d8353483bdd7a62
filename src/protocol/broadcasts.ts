import type { ClientType } from "./link.ts";

/**
 * App-wide broadcasts (NIM msg/broadcastMsg): what devices are pushed and what the app server
 * reads back. Shared by the server and the SDK.
 */

/** NIM's `targetOs` names. */
export const BROADCAST_OS = ["ios", "aos", "pc", "web", "mac"] as const;
export type BroadcastOs = (typeof BROADCAST_OS)[number];

/** One broadcast, with NIM's field names (NIM's Java SDK reads these from `msg` / `msgs[]`). */
export interface Broadcast {
  /** NIM `broadcastId`: a server message id, unique in the cluster. */
  broadcastId: number;
  /** 1, 2, 3… per app: what a device's broadcast cursor counts. */
  seq: number;
  /** The sender's accid, when the app server named one. */
  from?: string;
  body: string;
  /** Only devices of these systems; absent = every device. */
  targetOs?: BroadcastOs[];
  /** Stored for devices that log in before `expireTime`, as well as pushed to online ones. */
  isOffline: boolean;
  createTime: number;
  expireTime: number;
}

/** The push type (`ev`) a broadcast reaches devices under. */
export const BROADCAST_EVENT = "broadcast";

/** The device request for stored broadcasts after a cursor: `{cursor}` → `Broadcast[]`, oldest first. */
export const BROADCASTS_REQUEST = "broadcasts";

/** Stored broadcasts a device gets at once, the newest ones. */
export const OFFLINE_BROADCASTS_MAX = 100;

/**
 * `broadcast.<appKey>`: one subject per app, held by every node with a device of that app, so a
 * broadcast is one publish, fanned out by each node to its own devices.
 */
export function broadcastSubject(appKey: string): string {
  return `broadcast.${appKey}`;
}

/** The targetOs name of a device's client type; HARMONY has none and gets only broadcasts to every system. */
export function osOfClientType(clientType: ClientType | string): BroadcastOs | undefined {
  switch (clientType) {
    case "IOS":
      return "ios";
    case "AOS":
      return "aos";
    case "PC":
      return "pc";
    case "WEB":
      return "web";
    case "MAC":
      return "mac";
    default:
      return undefined;
  }
}

/** Whether a device of `clientType` is among a broadcast's targets. */
export function broadcastReaches(targetOs: readonly string[] | undefined, clientType: string): boolean {
  if (targetOs === undefined || targetOs.length === 0) return true;
  const os = osOfClientType(clientType);
  return os !== undefined && targetOs.includes(os);
}
