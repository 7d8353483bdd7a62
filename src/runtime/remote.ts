import { Codes } from "../protocol/codes.ts";
import { encode, decode } from "../protocol/codec.ts";

/**
 * The envelope of an actor message crossing nodes. Short keys: it is on the hot path of every
 * cross-node ask.
 */
export interface RemoteRequest {
  address: string;
  message: unknown;
  /** Forwards so far; see MAX_HOPS in system.ts. */
  hops: number;
  /** What is left of the caller's timeout. */
  timeoutMs: number;
}

export type RemoteReply = { ok: true; value: unknown } | { ok: false; code: number; desc: string };

interface WireRequest {
  a: string;
  m: unknown;
  h: number;
  t: number;
}

interface WireReply {
  ok: boolean;
  v?: unknown;
  c?: number;
  d?: string;
}

export function encodeRemoteRequest(r: RemoteRequest): Uint8Array {
  return encode({ a: r.address, m: r.message, h: r.hops, t: r.timeoutMs } satisfies WireRequest);
}

export function decodeRemoteRequest(data: Uint8Array): RemoteRequest {
  const w = decode<WireRequest>(data);
  if (typeof w !== "object" || w === null || typeof w.a !== "string" || typeof w.h !== "number" || typeof w.t !== "number") {
    throw new TypeError("malformed actor request");
  }
  return { address: w.a, message: w.m, hops: w.h, timeoutMs: w.t };
}

export function encodeRemoteReply(r: RemoteReply): Uint8Array {
  return encode(r.ok ? ({ ok: true, v: r.value } satisfies WireReply) : ({ ok: false, c: r.code, d: r.desc } satisfies WireReply));
}

export function decodeRemoteReply(data: Uint8Array): RemoteReply {
  const w = decode<WireReply>(data);
  if (w.ok) return { ok: true, value: w.v };
  return { ok: false, code: typeof w.c === "number" ? w.c : Codes.INTERNAL.code, desc: typeof w.d === "string" ? w.d : "remote error" };
}
