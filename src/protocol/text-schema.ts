import { z } from "zod";
import { longerThan, tooLongProblem } from "./text-length.ts";

/*
 * Text fields as both edges check them (the REST parameters and the gateway's request bodies), so
 * a limit means the same characters whichever way a value arrives.
 */

/**
 * A string of at most `max` characters, counted as every length limit of Nimbus is (code points:
 * src/protocol/text-length.ts), not by zod's own `.max`, whose unit is zod's to choose. The
 * OpenAPI document says `maxLength`, whose unit in JSON Schema is the code point too.
 */
export function chars<T extends z.ZodString>(schema: T, max: number): T {
  return schema.refine((s) => !longerThan(s, max), tooLongProblem(max)).meta({ maxLength: max });
}

/** A string of at most `max` characters; "" is allowed (NIM uses it to clear a field). */
export function text(max: number) {
  return chars(z.string(), max);
}

/** A string that must be present and not empty. */
export function requiredText(max: number) {
  return chars(z.string({ error: "required" }).min(1, "required"), max);
}

/** A string that, when given, must not be empty: where "" would mean nothing sensible (a token). */
export function nonEmptyText(max: number) {
  return chars(z.string().min(1, "must not be empty"), max);
}
