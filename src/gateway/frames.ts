import { getMessageBytes, Protocol } from "@colyseus/core";

/**
 * A push as a complete Colyseus ROOM_DATA frame (`[13][type][msgpack body]`), built once and
 * written as-is to every local device of the user.
 *
 * The body is encoded here with Colyseus's own msgpack encoder (msgpackr) rather than forwarded
 * from the bus bytes: the project codec writes integers above 2^32 (NIM msgids) as uint64, which
 * msgpackr-based SDKs decode as BigInt, while msgpackr writes them as float64 and every SDK reads
 * a plain number. One decode and one encode per push per node, not per device.
 */
export function pushFrame(type: string, body: Record<string, unknown>): Uint8Array {
  return getMessageBytes.raw(Protocol.ROOM_DATA, type, body);
}
