import type { MessageInput } from "../protocol/messages.ts";

function bad(field: string, problem: string): never {
  throw new Error(`modifyResponse.${field}: ${problem}`);
}

/**
 * A message as the app server's `modifyResponse` leaves it: `body` (for TEXT the text itself,
 * otherwise a JSON object or its string), `attach` (the same for other types), `ext`. Anything
 * else in it is ignored; a field of the wrong shape throws (the caller takes it for a bad answer).
 * The result is checked again as any input is before it is stored (messaging.ts), so a
 * modification cannot store what a sender could not.
 */
export function applyModification<I extends MessageInput>(input: I, modify: Record<string, unknown>): I {
  const out: I = { ...input };
  const object = (field: string, v: unknown): Record<string, unknown> => {
    let parsed = v;
    if (typeof v === "string") {
      try {
        parsed = JSON.parse(v);
      } catch {
        bad(field, "not JSON");
      }
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) bad(field, "not a JSON object");
    return parsed as Record<string, unknown>;
  };
  if (input.type === 0) {
    if (modify.body !== undefined) {
      if (typeof modify.body !== "string") bad("body", "must be the text");
      out.body = { ...input.body, msg: modify.body };
    }
  } else {
    const v = modify.attach ?? modify.body;
    if (v !== undefined) out.body = object(modify.attach !== undefined ? "attach" : "body", v);
  }
  if (modify.ext !== undefined) {
    if (typeof modify.ext !== "string") bad("ext", "must be a string");
    out.ext = modify.ext;
  }
  return out;
}
