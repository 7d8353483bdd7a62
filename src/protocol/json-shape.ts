/**
 * The shape a JSON value from a client (a message body) must have for Nimbus to store it and
 * pass it on: what is accepted must come back out of the journal, the bus and every device's
 * decoder unchanged. The server refuses anything else with 414 (src/messaging/validate.ts); the
 * SDK refuses it before sending, so a device never shows its own message differently from how
 * the peer receives it.
 *
 * - At most `JSON_DEPTH_MAX` levels of objects and arrays, the value itself being level 1. The
 *   msgpack encoder stops at 100 levels, and a stored body travels inside envelopes that add
 *   levels of their own (bus requests, pushes, history and sync answers, the inbox snapshot).
 *   Deeper than that, a send used to fail in the store after its msgid was taken (500).
 * - No `__proto__` key. @msgpack/msgpack's decoder refuses to read one back (a stored message with
 *   one broke every read that passed it; the store now reads such old data with the key renamed,
 *   src/store/bytes.ts, which is still not what was accepted); msgpackr, Colyseus's decoder,
 *   silently renames it `__proto_`; and in JavaScript an own `__proto__` property is one
 *   `Object.assign` away from replacing an object's prototype. Refusing it, rather
 *   than renaming or dropping it, is what Fastify's JSON parser does by default too: the caller
 *   learns that its data was not taken as sent. `constructor` and `prototype` are ordinary keys,
 *   kept as they are: both decoders read them back as plain data.
 * - No lone UTF-16 surrogate in a key or a string: it has no UTF-8 form, so msgpack would store
 *   something else (U+FFFD) than what was accepted.
 */
export const JSON_DEPTH_MAX = 32;

export interface JsonShapeProblem {
  /** Where, below the value: "" for the value itself, else e.g. `.a.b[2]`. */
  path: string;
  problem: string;
}

/** A UTF-16 surrogate that is not half of a pair (in a `u` regex, a pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_UNICODE = "not valid Unicode (a lone surrogate)";

/** The first thing in `value` that breaks the rules above, or null when there is none. */
export function jsonShapeProblem(value: unknown, maxDepth = JSON_DEPTH_MAX): JsonShapeProblem | null {
  return walk(value, 1, maxDepth);
}

function walk(v: unknown, depth: number, maxDepth: number): JsonShapeProblem | null {
  if (typeof v === "string") return LONE_SURROGATE.test(v) ? { path: "", problem: NOT_UNICODE } : null;
  if (typeof v !== "object" || v === null || v instanceof Uint8Array || v instanceof Date) return null;
  // Checked before going in: the recursion never goes deeper than maxDepth + 1.
  if (depth > maxDepth) return { path: "", problem: `nested too deep: at most ${maxDepth} levels of objects and arrays` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = walk(v[i], depth + 1, maxDepth);
      if (p) return { path: `[${i}]${p.path}`, problem: p.problem };
    }
    return null;
  }
  for (const key of Object.keys(v)) {
    if (key === "__proto__") return { path: "", problem: 'the key "__proto__" is not allowed' };
    if (LONE_SURROGATE.test(key)) return { path: "", problem: `a key is ${NOT_UNICODE}` };
    const p = walk((v as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (p) return { path: `.${key}${p.path}`, problem: p.problem };
  }
  return null;
}
