import { z } from "zod";
import { isOwnP2pId } from "../conversation/ref.ts";
import { ACCID_PATTERN } from "../protocol/accid.ts";
import { MessageType, type MessageOption, type MessageInput } from "../protocol/messages.ts";
import { requiredText } from "../protocol/text-schema.ts";
import { ATTACH_MAX, isPlainObject } from "../messaging/validate.ts";
import { NimbusError } from "../protocol/errors.ts";

/**
 * What a device may send for each messaging request, checked before anything reaches the messaging
 * service: a device is an untrusted peer, and a refused request must change nothing. These are the
 * envelopes — fields, types, NIM's lengths. A message itself (its account ids, type, body per type,
 * `option` switches, lengths) is checked once, by the service (src/messaging/validate.ts), so the
 * REST API and devices cannot drift apart; it answers 414 naming the field too. The service also
 * checks what only it can know: accounts, relations, windows.
 */

/** A team's conversation id as devices name it. */
export const TEAM_CONV = /^team:[1-9]\d{0,15}$/;
/** A super team's conversation id as devices name it. */
export const SUPER_TEAM_CONV = /^superteam:[1-9]\d{0,15}$/;
const isGroupConv = (s: string) => TEAM_CONV.test(s) || SUPER_TEAM_CONV.test(s);

const accid = z
  .string({ error: "required" })
  .regex(ACCID_PATTERN, "1 to 32 of letters, digits and _ @ . -")
  .transform((s) => s.toLowerCase());

/** A p2p peer (an accid, lower-cased) or a team's conversation id (`team:<tid>`). */
const peer = z
  .string({ error: "required" })
  .refine((s) => ACCID_PATTERN.test(s) || isGroupConv(s), "an account id, team:<tid> or superteam:<tid>")
  .transform((s) => (isGroupConv(s) ? s : s.toLowerCase()));

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

/** What a device's `send` carries; everything but who sends it, which the session says. */
export type DeviceSend = Pick<MessageInput, "type" | "body" | "ext" | "option"> & { to: string; clientMsgId: string };

/**
 * A device's `send`, as far as the gateway checks it: the fields' JavaScript types, and a
 * clientMsgId (devices must name one, for resends). What the values must be — an account id, a
 * message type, NIM's lengths, the body per type, the option keys — is checked once, by the
 * service's checkMessageInput and the p2p policy, with 414 naming the field as here. A zod schema here did it all a
 * second time on the busiest request there is (6–9% of a node's time at 5,000 msgs/s).
 */
export function checkDeviceSend(raw: unknown): DeviceSend {
  if (!isPlainObject(raw)) throw refusal("send", "not an object");
  const { to, type, body, ext, option, clientMsgId } = raw;
  if (typeof to !== "string") throw refusal("to", "required");
  if (typeof type !== "number") throw refusal("type", "must be a number");
  if (!isPlainObject(body)) throw refusal("body", "must be an object");
  if (ext != null && typeof ext !== "string") throw refusal("ext", "must be a string");
  if (option != null && !isPlainObject(option)) throw refusal("option", "must be an object");
  if (typeof clientMsgId !== "string" || clientMsgId === "") throw refusal("clientMsgId", "required");
  const send: DeviceSend = { to, type: type as MessageType, body, clientMsgId };
  // Other SDKs may send nil for an absent field.
  if (ext != null) send.ext = ext;
  if (option != null) send.option = option as MessageOption;
  return send;
}

function refusal(field: string, problem: string): NimbusError {
  return new NimbusError("PARAM_ERROR", `${field}: ${problem}`);
}

export const recallSchema = z.object({ peer, msgid: positive });

export const markReadSchema = z.object({ peer, seq });

export const historySchema = z
  .object({
    peer,
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
    teamNotificationCursors: z.record(z.string().regex(/^[1-9]\d{0,15}$/, "not a team id"), seq, { error: "must be an object" }),
  })
  .partial()
  .default({});

/**
 * 414 unless every cursor names a p2p conversation of `me` (two sorted accids joined by |, one of
 * them `me`) or a team (`team:<tid>`; the sync reads only the teams `me` is in).
 */
export function checkOwnCursors(me: string, cursors: Record<string, number> | undefined): void {
  for (const conv of Object.keys(cursors ?? {})) {
    if (!isOwnP2pId(conv, me) && !isGroupConv(conv))
      throw new NimbusError("PARAM_ERROR", `cursors.${conv}: not a conversation of this account (sorted accids joined by |)`);
  }
}

export const notifySchema = z.object({
  to: accid,
  attach: requiredText(ATTACH_MAX),
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
