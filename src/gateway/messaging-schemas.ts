import { z } from "zod";
import { ACCID_PATTERN } from "../http/nim/params.ts";
import { MessageType } from "../messaging/types.ts";
import { NimbusError } from "../util/errors.ts";

/**
 * What a device may send for each messaging request, checked before anything reaches the messaging
 * service: a device is an untrusted peer, and a refused request must change nothing. These are the
 * envelopes — fields, types, NIM's lengths. What a message body must hold per message type (text
 * `{msg}`, image `{url, …}`, …) and which `option` switches exist is checked once, by the service
 * (src/messaging/validate.ts), so the REST API and devices cannot drift apart; it answers 414 naming
 * the field too. The service also checks what only it can know: accounts, relations, windows.
 */

/** NIM limits on message parts, in characters. */
export const MESSAGE_LIMITS = { body: 5000, ext: 1024, attach: 4096, clientMsgId: 128 } as const;

const accid = z
  .string({ error: "required" })
  .regex(ACCID_PATTERN, "1 to 32 of letters, digits and _ @ . -")
  .transform((s) => s.toLowerCase());

/** An account id as stored (lower-cased), as conversation ids spell them. */
const ACCID = /^[a-z0-9_@.-]{1,32}$/;

const seq = z.number({ error: "must be a number" }).int("must be an integer").min(0, "must be at least 0").max(Number.MAX_SAFE_INTEGER);
const positive = z
  .number({ error: "must be a number" })
  .int("must be an integer")
  .min(1, "must be at least 1")
  .max(Number.MAX_SAFE_INTEGER);
const time = z.number({ error: "must be a number" }).int("must be an integer").min(0, "must be at least 0");

const messageTypes = new Set<number>(Object.values(MessageType));
const messageType = z
  .number({ error: `must be one of ${[...messageTypes].join(", ")}` })
  .refine((t) => messageTypes.has(t), `must be one of ${[...messageTypes].join(", ")}`)
  .transform((t) => t as MessageType);

/** NIM's `option` switches: booleans (which keys exist is the service's word). */
const option = z.record(z.string(), z.boolean({ error: "must be true or false" }), { error: "must be an object" });

/** A JSON object (not an array, not null), as NIM's `body`. */
const jsonObject = z.record(z.string(), z.unknown(), { error: "must be an object" });

export const sendSchema = z
  .object({
    to: accid,
    type: messageType,
    body: jsonObject,
    ext: z.string().max(MESSAGE_LIMITS.ext, `too long: at most ${MESSAGE_LIMITS.ext} characters`).optional(),
    option: option.optional(),
    clientMsgId: z
      .string({ error: "required" })
      .min(1, "required")
      .max(MESSAGE_LIMITS.clientMsgId, `too long: at most ${MESSAGE_LIMITS.clientMsgId} characters`),
  })
  .superRefine((m, ctx) => {
    const length = jsonLength(m.body);
    if (length === undefined) ctx.addIssue({ code: "custom", path: ["body"], message: "not representable as JSON" });
    else if (length > MESSAGE_LIMITS.body) {
      ctx.addIssue({ code: "custom", path: ["body"], message: `too long: at most ${MESSAGE_LIMITS.body} characters as JSON` });
    }
  });

/** NIM limits `body` as the JSON string an app server sends; undefined for what JSON cannot hold (BigInt). */
function jsonLength(v: unknown): number | undefined {
  try {
    return JSON.stringify(v).length;
  } catch {
    return undefined;
  }
}

export const recallSchema = z.object({ peer: accid, msgid: positive });

export const markReadSchema = z.object({ peer: accid, seq });

export const historySchema = z
  .object({
    peer: accid,
    fromSeq: seq.optional(),
    toSeq: seq.optional(),
    fromTime: time.optional(),
    toTime: time.optional(),
    limit: z.number({ error: "required" }).int("must be an integer").min(1, "must be at least 1").max(100, "must be at most 100"),
    order: z.enum(["asc", "desc"], { error: 'must be "asc" or "desc"' }),
    types: z.array(messageType).min(1, "must not be empty").max(16, "at most 16 types").optional(),
  })
  .refine((q) => q.fromSeq === undefined || q.toSeq === undefined || q.fromSeq <= q.toSeq, {
    path: ["toSeq"],
    message: "must not be below fromSeq",
  })
  .refine((q) => q.fromTime === undefined || q.toTime === undefined || q.fromTime <= q.toTime, {
    path: ["toTime"],
    message: "must not be below fromTime",
  });

export const conversationsSchema = z
  .object({ limit: z.number().int("must be an integer").min(1, "must be at least 1").max(1000, "must be at most 1000").optional() })
  .default({});

/** Cursors may name only conversations of the asking account: `a|b`, sorted, one side its own. */
/** Built once: a zod schema costs far more to build than to run, and sync runs at every login. */
export const syncSchema = z
  .object({
    cursors: z.record(z.string(), seq, { error: "must be an object" }),
    notificationCursor: seq,
  })
  .partial()
  .default({});

/** 414 unless every cursor names a p2p conversation of `me` (two sorted accids joined by |, one of them `me`). */
export function checkOwnCursors(me: string, cursors: Record<string, number> | undefined): void {
  for (const conv of Object.keys(cursors ?? {})) {
    const [a, b, ...rest] = conv.split("|");
    const mine =
      rest.length === 0 && a !== undefined && b !== undefined && ACCID.test(a) && ACCID.test(b) && a < b && (a === me || b === me);
    if (!mine) throw new NimbusError("PARAM_ERROR", `cursors.${conv}: not a conversation of this account (sorted accids joined by |)`);
  }
}

export const notifySchema = z.object({
  to: accid,
  attach: z
    .string({ error: "required" })
    .min(1, "required")
    .max(MESSAGE_LIMITS.attach, `too long: at most ${MESSAGE_LIMITS.attach} characters`),
});

/** The parsed body, or 414 naming the first offending field (`body.msg: too long: …`). */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(withoutNulls(body));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.map(String).join(".") || what;
  throw new NimbusError("PARAM_ERROR", `${where}: ${issue?.message ?? "invalid"}`);
}

/** SDKs other than ours may send nil for an absent field; at the top level it means absent. */
function withoutNulls(body: unknown): unknown {
  if (body === null) return undefined;
  if (typeof body !== "object" || Array.isArray(body) || body instanceof Uint8Array) return body;
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
}
