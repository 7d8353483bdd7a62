import { z } from "zod";
import { IGNORED_OPTION_KEYS, OPTION_KEYS } from "../../messaging/validate.ts";
import type { MessageOption } from "../../protocol/messages.ts";
import { ACCID_PATTERN } from "../../protocol/accid.ts";
import { intEnum, requiredText, text } from "./params.ts";

/**
 * Form parameters of the message APIs (`msg/*`, `history/*`): JSON-object strings parsed into
 * objects, NIM's `option`, message types. As in params.ts, each check names its parameter and the
 * OpenAPI document is generated from the same schemas.
 */

/** The p2p message types a sender may use (5 notification and 11 robot only ever appear in history). */
export const SENDABLE_TYPES = [0, 1, 2, 3, 4, 6, 10, 100] as const;

export function messageType() {
  return intEnum(SENDABLE_TYPES);
}

function parseJson(s: string, ctx: z.RefinementCtx, what: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: `not ${what}` });
    return z.NEVER;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A required JSON object (e.g. `body`), at most `max` characters; the handler gets the object. */
export function jsonObject(max: number) {
  return requiredText(max)
    .transform((s, ctx) => {
      const v = parseJson(s, ctx, "a JSON object");
      if (v === z.NEVER) return z.NEVER;
      if (!isObject(v)) {
        ctx.addIssue({ code: "custom", message: "not a JSON object" });
        return z.NEVER;
      }
      return v;
    })
    .meta({ description: `JSON object, at most ${max} characters` });
}

/**
 * A JSON object of true/false switches, only `keys` ("" = none), at most `max` characters; the
 * handler gets the switches. One parse: anything that is not such an object is a 414 naming the
 * parameter (or the switch), never an exception out of a second look.
 */
export function jsonSwitches(max: number, keys: readonly string[], unknownKeys: "refuse" | "ignore" = "refuse") {
  return text(max)
    .transform((s, ctx): Record<string, boolean> => {
      if (s === "") return {};
      const v = parseJson(s, ctx, "a JSON object");
      if (v === z.NEVER) return z.NEVER;
      if (!isObject(v)) {
        ctx.addIssue({ code: "custom", message: "not a JSON object" });
        return z.NEVER;
      }
      for (const [key, value] of Object.entries(v)) {
        if (!keys.includes(key)) {
          if (unknownKeys === "ignore") continue;
          ctx.addIssue({ code: "custom", message: `unknown key ${JSON.stringify(key)}` });
          return z.NEVER;
        }
        if (typeof value !== "boolean") {
          ctx.addIssue({ code: "custom", path: [key], message: "must be true or false" });
          return z.NEVER;
        }
      }
      // Only the known keys leave here, so an ignored key (even "__proto__") reaches nothing.
      return Object.fromEntries(Object.entries(v).filter(([key]) => keys.includes(key))) as Record<string, boolean>;
    })
    .meta({ description: `JSON object of booleans: ${keys.join(", ")}` });
}

/**
 * NIM's `option` JSON: known switches, each true or false (NIM: all default true). The switches NIM
 * has for push (needPushNick) are accepted and dropped: Nimbus sends no push. Keys NIM does not
 * define are ignored, as NIM does (the official SDKs' own tests send `{"optionKey":"optionValue"}`).
 */
export function messageOption() {
  return jsonSwitches(1024, [...OPTION_KEYS, ...IGNORED_OPTION_KEYS], "ignore").transform((switches): MessageOption => {
    const out: MessageOption = {};
    for (const key of OPTION_KEYS) if (switches[key] !== undefined) out[key] = switches[key];
    return out;
  });
}

/** A JSON array of account ids (lower-cased), 1 to `max` of them, duplicates removed. */
export function accidList(max: number) {
  return z
    .string({ error: "required" })
    .transform((s, ctx) => parseJson(s, ctx, "a JSON array"))
    .pipe(
      z
        .array(z.string().regex(ACCID_PATTERN, "not an account id"), { error: "not a JSON array" })
        .min(1, "must not be empty")
        .max(max, `too many: at most ${max}`),
    )
    .transform((list) => [...new Set(list.map((a) => a.toLowerCase()))])
    .meta({ description: `JSON array of at most ${max} account ids` });
}

/** A time in ms (NIM `begintime`, `timetag`, …): a non-negative integer. */
export function millis() {
  return z
    .string({ error: "required" })
    .regex(/^\d{1,16}$/, "must be a time in ms")
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), "must be a time in ms")
    .meta({ description: "time in ms since the epoch" });
}

/** A server message id (NIM `msgid`): a positive integer. */
export function msgid() {
  return z
    .string({ error: "required" })
    .regex(/^[1-9]\d{0,15}$/, "must be a message id")
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), "must be a message id")
    .meta({ description: "server message id" });
}
