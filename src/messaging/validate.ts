import { isStoredAccid } from "../protocol/accid.ts";
import { refuse } from "../protocol/errors.ts";
import { MessageType, type MessageOption, type MessageInput } from "../protocol/messages.ts";
import { jsonShapeProblem } from "../protocol/json-shape.ts";
import { longerThan, tooLongProblem } from "../protocol/text-length.ts";

/**
 * What a p2p message must look like before anything is stored, as NIM's limits say: the whole body
 * as JSON at most 5000 characters, `ext` at most 1024, `option` switches booleans; a body must
 * also keep to the shape that survives the store and every decoder (src/protocol/json-shape.ts:
 * nesting depth, no `__proto__` key). Lengths are in characters (code points, see
 * src/protocol/text-length.ts). Both edges send through here (REST after its own form checks, the
 * gateway straight from a device's frame), so every check is on `unknown` and every refusal is a
 * 414 naming the field, before anything is numbered or stored.
 */

export const BODY_MAX = 5000;
export const EXT_MAX = 1024;
export const CLIENT_MSG_ID_MAX = 128;
export const ATTACH_MAX = 4096;
/** Client type / device id as a device reports them; only echoed back, so just bounded. */
const CLIENT_FIELD_MAX = 64;
const URL_MAX = 2048;

/** The option switches that apply to p2p (types.ts `MessageOption`). */
export const OPTION_KEYS = ["roam", "history", "sendersync", "persistent", "sessionUpdate", "push", "badge", "route"] as const;
/** NIM switches accepted and dropped: they steer mobile push, which Nimbus does not send. */
export const IGNORED_OPTION_KEYS: readonly string[] = ["needPushNick"];

const TYPES: ReadonlySet<number> = new Set(Object.values(MessageType));

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** An account id as stored: lower-cased, ≤32 of [a-z0-9_@.-]. */
export function checkAccid(v: unknown, field: string): string {
  if (typeof v !== "string") refuse(field, "required");
  const accid = v.toLowerCase();
  if (!isStoredAccid(accid)) refuse(field, "not an account id (at most 32 of letters, digits, _ @ . -)");
  return accid;
}

/** NIM's `option`: known keys with boolean values; IGNORED_OPTION_KEYS are accepted and dropped. */
export function checkOption(v: unknown, field = "option"): MessageOption {
  if (!isPlainObject(v)) refuse(field, "not a JSON object");
  const out: MessageOption = {};
  for (const [k, value] of Object.entries(v)) {
    if (value === undefined) continue;
    if (IGNORED_OPTION_KEYS.includes(k)) {
      if (typeof value !== "boolean") refuse(`${field}.${k}`, "must be true or false");
      continue;
    }
    if (!(OPTION_KEYS as readonly string[]).includes(k)) refuse(field, `unknown key ${JSON.stringify(k)}`);
    if (typeof value !== "boolean") refuse(`${field}.${k}`, "must be true or false");
    out[k as (typeof OPTION_KEYS)[number]] = value;
  }
  return out;
}

function optionalText(body: Record<string, unknown>, key: string, max: number): void {
  const v = body[key];
  if (v === undefined) return;
  if (typeof v !== "string") refuse(`body.${key}`, "must be a string");
  if (longerThan(v, max)) refuse(`body.${key}`, tooLongProblem(max));
}

function requiredText(body: Record<string, unknown>, key: string, max: number): void {
  const v = body[key];
  if (typeof v !== "string" || v.length === 0) refuse(`body.${key}`, "required");
  if (longerThan(v, max)) refuse(`body.${key}`, tooLongProblem(max));
}

function number(body: Record<string, unknown>, key: string, opts: { required?: boolean; min?: number; max?: number }): void {
  const v = body[key];
  if (v === undefined && !opts.required) return;
  if (typeof v !== "number" || !Number.isFinite(v)) refuse(`body.${key}`, opts.required ? "required: a number" : "must be a number");
  if (opts.min !== undefined && v < opts.min) refuse(`body.${key}`, `must be at least ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) refuse(`body.${key}`, `must be at most ${opts.max}`);
}

/** The attachment fields NIM's media bodies share: a url, and optional name, md5, ext, size. */
function media(body: Record<string, unknown>): void {
  requiredText(body, "url", URL_MAX);
  optionalText(body, "name", 256);
  optionalText(body, "md5", 64);
  optionalText(body, "ext", 32);
  number(body, "size", { min: 0 });
}

/**
 * The body a type needs (reference §3.5): text and tip `{msg}`; image `{url, w?, h?, …}`; voice
 * `{url, dur}`; video `{url, dur, w?, h?}`; file `{url, name?}`; location `{title, lng, lat}`;
 * custom any object. Extra keys are kept: apps put their own fields in bodies.
 */
export function checkBody(type: MessageType, body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) refuse("body", "not a JSON object");
  const shape = jsonShapeProblem(body);
  if (shape) refuse(`body${shape.path}`, shape.problem);
  let json: string;
  try {
    json = JSON.stringify(body);
  } catch {
    refuse("body", "not JSON");
  }
  if (longerThan(json, BODY_MAX)) refuse("body", tooLongProblem(BODY_MAX, " as JSON"));
  switch (type) {
    case MessageType.TEXT:
    case MessageType.TIP:
      requiredText(body, "msg", BODY_MAX);
      break;
    case MessageType.IMAGE:
      media(body);
      number(body, "w", { min: 0 });
      number(body, "h", { min: 0 });
      break;
    case MessageType.VOICE:
      media(body);
      number(body, "dur", { required: true, min: 0 });
      break;
    case MessageType.VIDEO:
      media(body);
      number(body, "dur", { required: true, min: 0 });
      number(body, "w", { min: 0 });
      number(body, "h", { min: 0 });
      break;
    case MessageType.FILE:
      media(body);
      break;
    case MessageType.LOCATION:
      if (typeof body.title !== "string") refuse("body.title", "required");
      if (longerThan(body.title, 1024)) refuse("body.title", tooLongProblem(1024));
      number(body, "lng", { required: true, min: -180, max: 180 });
      number(body, "lat", { required: true, min: -90, max: 90 });
      break;
    case MessageType.CUSTOM:
      break;
  }
  return body;
}

export function checkType(v: unknown): MessageType {
  if (typeof v !== "number" || !TYPES.has(v)) refuse("type", `must be one of ${[...TYPES].join(", ")}`);
  return v as MessageType;
}

function optionalField(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") refuse(field, "must be a string");
  if (longerThan(v, max)) refuse(field, tooLongProblem(max));
  return v;
}

/**
 * A message as its sender gives it, normalized: the sender lower-cased, option reduced to known
 * switches, absent fields absent. Where it goes is the conversation's, checked by its policy.
 */
export function checkMessageInput(raw: unknown): MessageInput {
  if (!isPlainObject(raw)) refuse("message", "not an object");
  const from = checkAccid(raw.from, "from");
  const type = checkType(raw.type);
  const body = checkBody(type, raw.body);
  const ext = optionalField(raw.ext, "ext", EXT_MAX);
  const option = raw.option === undefined || raw.option === null ? undefined : checkOption(raw.option);
  const clientMsgId = optionalField(raw.clientMsgId, "clientMsgId", CLIENT_MSG_ID_MAX);
  if (clientMsgId === "") refuse("clientMsgId", "must not be empty");
  const fromClientType = optionalField(raw.fromClientType, "fromClientType", CLIENT_FIELD_MAX);
  const fromDeviceId = optionalField(raw.fromDeviceId, "fromDeviceId", CLIENT_FIELD_MAX);
  // Assigned, not spread in: every send goes through here.
  const input: MessageInput = { from, type, body };
  if (ext !== undefined) input.ext = ext;
  if (option !== undefined && Object.keys(option).length > 0) input.option = option;
  if (clientMsgId !== undefined) input.clientMsgId = clientMsgId;
  if (fromClientType !== undefined) input.fromClientType = fromClientType;
  if (fromDeviceId !== undefined) input.fromDeviceId = fromDeviceId;
  return input;
}
