import { Encoder, Decoder } from "@msgpack/msgpack";

/**
 * msgpack, the one binary encoding of Nimbus: bus envelopes, snapshots, journal payloads and
 * client frames. Encoder and decoder instances are reused: they keep their buffers warm.
 * `useBigInt64` stays off: every integer we send fits in a double (msgids are below 2^53).
 */
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

export function encode(value: unknown): Uint8Array {
  return encoder.encode(value);
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  return decoder.decode(bytes) as T;
}
