import { decode, encode } from "../protocol/codec.ts";

/**
 * msgpack for stored payloads and states. Both drivers hand back Node Buffers, and the decoder
 * returns `bin` fields as subarrays of its input: decoding a Buffer would give Buffers, which
 * compare and serialise differently from the Uint8Arrays that were stored. A plain Uint8Array
 * view (no copy) keeps what comes out equal to what went in.
 */
export function decodeStored<T>(bytes: Uint8Array): T {
  const plain = Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
  return decode<T>(plain);
}

export { encode as encodeStored };
