import { DecodeError } from "@msgpack/msgpack";
import { Unpackr } from "msgpackr";
import { decode, encode } from "../protocol/codec.ts";

/**
 * For what an older version stored with a `__proto__` key (before message bodies were checked,
 * src/protocol/json-shape.ts): our decoder refuses to read that key back, which made a whole
 * conversation, and the inbox snapshot holding it as a last message, unreadable. msgpackr — the
 * decoder Colyseus runs on every frame from a device — reads the same format and renames the key
 * `__proto_`, so such data is read with that one key renamed, as a device's frame would have been,
 * rather than lost. Only that refusal takes this path; anything else undecodable still fails (the
 * journal then marks the entry unreadable, see journal-payload.ts).
 */
const renamingProto = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

/**
 * msgpack for stored payloads and states. Both drivers hand back Node Buffers, and the decoder
 * returns `bin` fields as subarrays of its input: decoding a Buffer would give Buffers, which
 * compare and serialise differently from the Uint8Arrays that were stored. A plain Uint8Array
 * view (no copy) keeps what comes out equal to what went in.
 */
export function decodeStored<T>(bytes: Uint8Array): T {
  const plain = Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
  try {
    return decode<T>(plain);
  } catch (err) {
    if (!(err instanceof DecodeError) || !err.message.includes("__proto__")) throw err;
    return renamingProto.unpack(plain) as T;
  }
}

export { encode as encodeStored };
