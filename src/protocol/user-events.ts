import { Packr } from "msgpackr";

/**
 * User events: what anything in the cluster publishes to one user's devices, and the subject it
 * goes on. This is the contract between publishers (actors: a p2p session, the user actor on
 * `user/block` with needkick) and the realtime gateway, which subscribes to `user.<app>.<accid>`
 * on every node where that user has a device and forwards each event to those devices. It lives in
 * protocol/ because actors may not import the gateway.
 *
 * On the bus an event is a msgpack array `[ev, body, origin]`: `body` is the push body (the event's
 * other fields) already encoded as devices read it, as bytes, so a gateway builds the push frame
 * around them without decoding and encoding the message again; `origin` is nil or
 * `[accid, deviceId]`, the device an event came from (a message is not pushed back to the device
 * that sent it). `ev: "kick"` is for the gateway itself (it disconnects devices); any other `ev`
 * reaches each device as a push frame of type `ev` with that body.
 */

/** Why a device was kicked, as the `kicked` frame and the offline hook report it. */
export const KickReason = {
  /** Kicked by another device of the same account (NIM logout reason 3). */
  OTHER_DEVICE: 3,
  /** Kicked by the multi-device policy, or replaced by a newer login of the same device id (NIM 4). */
  POLICY: 4,
  /** Kicked by the app server (`user/block` with needkick, or a kick API); a Nimbus extension. */
  SERVER: 5,
} as const;
export type KickReason = (typeof KickReason)[keyof typeof KickReason];

const KICK_REASONS: ReadonlySet<number> = new Set(Object.values(KickReason));

export function isKickReason(n: unknown): n is KickReason {
  return typeof n === "number" && KICK_REASONS.has(n);
}

/** Any event for a user's devices. */
export interface UserEvent {
  ev: string;
  [field: string]: unknown;
}

/** Disconnect some or all of a user's devices, wherever they are connected. */
export interface KickEvent {
  ev: "kick";
  reason: KickReason;
  /** Readable text shown to the user. */
  desc?: string;
  /** The app's own payload (NIM `kickNotifyExt`). */
  ext?: string;
  /** Only these device ids; absent means every device of the user. */
  deviceIds?: string[];
  /**
   * Only these sessions (as `LocalDevice.sessionId`): precise where a device id is not, e.g. when a
   * newer login of the same device id on another node must survive the kick of the older one.
   */
  sessionIds?: string[];
}

/**
 * Event names a publisher may not use: the gateway's own frames travel under these names, and a
 * device must be able to trust that a `kicked` frame came from the gateway.
 */
export const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set(["kick", "kicked", "welcome", "subs"]);

/** `user.<appKey>.<accid>`, accid lower-cased as accounts are stored. */
export function userSubject(appKey: string, accid: string): string {
  return `user.${appKey}.${accid.toLowerCase()}`;
}

/** The device an event came from. */
export interface UserEventOrigin {
  accid: string;
  deviceId: string;
}

/** An event off the bus with its body still encoded: what a gateway needs to push it. */
export interface EncodedUserEvent {
  ev: string;
  /** The push body as devices decode it (msgpack). */
  body: Uint8Array;
  origin?: UserEventOrigin;
}

/**
 * Push bodies are encoded as Colyseus encodes frames (msgpackr, no records), not with the project
 * codec: that one writes integers above 2^32 (NIM msgids) as uint64, which msgpackr-based SDKs
 * decode as BigInt; msgpackr writes them as float64, which every SDK reads as a plain number.
 * The envelope around the body goes through msgpackr too: it holds only strings, bytes and nil,
 * which both libraries write byte for byte the same, and every message's envelope is decoded by
 * the gateway of each of its two users, where msgpackr takes about a third of the time.
 */
const devicePackr = new Packr({ useRecords: false });

export function encodeUserEvent(event: UserEvent | KickEvent, origin?: UserEventOrigin): Uint8Array {
  const { ev, ...body } = event;
  return encodeUserEventOf(ev, body, origin);
}

/** The same, with the name and the body apart: a publisher that has the body at hand need not copy it. */
export function encodeUserEventOf(ev: string, body: object, origin?: UserEventOrigin): Uint8Array {
  return devicePackr.pack([ev, devicePackr.pack(body), origin ? [origin.accid, origin.deviceId] : null]);
}

/** A user event's envelope from bus bytes, its body left encoded; throws on anything malformed. */
export function decodeUserEventEnvelope(bytes: Uint8Array): EncodedUserEvent {
  const value: unknown = devicePackr.unpack(bytes);
  if (!Array.isArray(value) || value.length !== 3) throw new Error("a user event must be [ev, body, origin]");
  const [ev, body, origin] = value as unknown[];
  if (typeof ev !== "string" || ev.length === 0 || ev.length > 64) throw new Error("a user event needs `ev`: 1 to 64 characters");
  if (!(body instanceof Uint8Array)) throw new Error("a user event's body must be bytes");
  if (origin === null) return { ev, body };
  if (!Array.isArray(origin) || origin.length !== 2 || typeof origin[0] !== "string" || typeof origin[1] !== "string") {
    throw new Error("a user event's origin must be nil or [accid, deviceId]");
  }
  return { ev, body, origin: { accid: origin[0], deviceId: origin[1] } };
}

/** A whole user event from bus bytes, body decoded: `{ev, ...body}`. Throws on anything malformed. */
export function decodeUserEvent(bytes: Uint8Array): UserEvent {
  return userEventOf(decodeUserEventEnvelope(bytes));
}

/** An envelope's body decoded: `{ev, ...body}`. Throws when the body is not a map. */
export function userEventOf({ ev, body }: EncodedUserEvent): UserEvent {
  const fields: unknown = devicePackr.unpack(body);
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw new Error("a user event's body must be a map");
  return { ...(fields as Record<string, unknown>), ev };
}

/** The kick command inside a decoded event, or undefined when it is malformed. */
export function asKick(event: UserEvent): KickEvent | undefined {
  if (event.ev !== "kick" || !isKickReason(event.reason)) return undefined;
  const { desc, ext, deviceIds, sessionIds } = event;
  if (desc !== undefined && typeof desc !== "string") return undefined;
  if (ext !== undefined && typeof ext !== "string") return undefined;
  if (deviceIds !== undefined && !isStringList(deviceIds)) return undefined;
  if (sessionIds !== undefined && !isStringList(sessionIds)) return undefined;
  return {
    ev: "kick",
    reason: event.reason,
    ...(desc !== undefined && { desc }),
    ...(ext !== undefined && { ext }),
    ...(deviceIds !== undefined && { deviceIds }),
    ...(sessionIds !== undefined && { sessionIds }),
  };
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((d) => typeof d === "string");
}
