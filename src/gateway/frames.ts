import { getMessageBytes, Protocol } from "@colyseus/core";

/**
 * A push as a complete Colyseus ROOM_DATA frame (`[13][type][msgpack body]`), built once and
 * written as-is to every local device of the user.
 */
export function pushFrame(type: string, body: Record<string, unknown>): Uint8Array {
  return getMessageBytes.raw(Protocol.ROOM_DATA, type, body);
}

/** The same frame around a body already encoded for devices (a user event's, see protocol/user-events.ts). */
export function pushFrameOf(type: string, body: Uint8Array): Uint8Array {
  return getMessageBytes.raw(Protocol.ROOM_DATA, type, undefined, body);
}
