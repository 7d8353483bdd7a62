import { z } from "zod";
import { ACCID_PATTERN } from "../../protocol/accid.ts";

/**
 * Building blocks for NIM v1 parameters. On the wire every value is a form string: numbers and
 * booleans are spelled out, lists are JSON-array strings. Each helper checks the string form and
 * turns it into the value handlers use; the OpenAPI description is generated from the same
 * schemas (input side), so the document and the validator cannot disagree.
 */

import { requiredText, text } from "../../protocol/text-schema.ts";

export { chars, nonEmptyText, requiredText, text } from "../../protocol/text-schema.ts";

/** NIM account id: ≤32 of [a-zA-Z0-9_@.-], compared and stored lower-cased. */
export function accid() {
  return requiredText(32)
    .regex(ACCID_PATTERN, "only letters, digits and _ @ . - are allowed")
    .transform((s) => s.toLowerCase())
    .meta({ description: "account id, at most 32 of [a-zA-Z0-9_@.-], case-insensitive" });
}

/** "true" or "false". */
export function bool() {
  return z
    .enum(["true", "false"], { error: 'must be "true" or "false"' })
    .transform((s) => s === "true")
    .meta({ description: '"true" or "false"' });
}

/** A decimal integer within [min, max]. */
export function int(min: number, max: number) {
  return z
    .string({ error: "required" })
    .regex(/^-?\d+$/, "must be an integer")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .meta({ description: `integer from ${min} to ${max}` });
}

/**
 * One of a few integer codes, e.g. gender 0/1/2. With `emptyAs`, "" is accepted too and stands
 * for that value: NIM clears a profile field by sending it empty.
 */
export function intEnum<const T extends readonly number[]>(values: T, options: { emptyAs?: T[number] } = {}) {
  const allowed = values.map(String);
  const { emptyAs } = options;
  const clearable = emptyAs !== undefined;
  return z
    .string({ error: "required" })
    .refine((s) => allowed.includes(s) || (clearable && s === ""), `must be one of ${allowed.join(", ")}${clearable ? ' or ""' : ""}`)
    .transform((s) => (s === "" && clearable ? emptyAs : (Number(s) as T[number])))
    .meta({ description: `one of ${allowed.join(", ")}${clearable ? ` ("" = ${emptyAs})` : ""}` });
}

/** A JSON array string with at most `max` items, each checked by `item`. */
export function jsonArray<T extends z.ZodType>(item: T, max: number) {
  return z
    .string({ error: "required" })
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not a JSON array" });
        return z.NEVER;
      }
    })
    .pipe(z.array(item, { error: "not a JSON array" }).min(1, "must not be empty").max(max, `too many: at most ${max}`))
    .meta({ description: `JSON array of at most ${max}` });
}

/** A JSON object string (e.g. `ex`, `attach`), at most `max` characters. */
export function jsonObjectText(max: number) {
  return text(max).refine((s) => {
    if (s === "") return true;
    try {
      const v = JSON.parse(s) as unknown;
      return typeof v === "object" && v !== null && !Array.isArray(v);
    } catch {
      return false;
    }
  }, "not a JSON object");
}
