import { refuse } from "../protocol/errors.ts";
import { longerThan, tooLongProblem } from "../protocol/text-length.ts";
import type { ChatroomSendInput } from "../contracts/chatroom.ts";

/** NIM's chat room message types a sender may use. */
export const CHATROOM_SENDABLE_TYPES = [0, 1, 2, 3, 4, 6, 10, 100] as const;
export const CHATROOM_ATTACH_MAX = 4096;
export const CHATROOM_EXT_MAX = 4096;
export const CHATROOM_MSG_ID_MAX = 128;
const NICK_MAX = 64;
const AVATOR_MAX = 1024;
const CLIENT_TYPE_MAX = 64;

const TYPES: ReadonlySet<number> = new Set(CHATROOM_SENDABLE_TYPES);
/** A UTF-16 surrogate that is not half of a pair: no UTF-8 form, so it would not read back. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Field names as the caller spelled them: REST uses NIM's, the room edge the SDK's. */
export interface SendFieldNames {
  clientMsgId: string;
  type: string;
  attach: string;
  ext: string;
}

export const REST_SEND_FIELDS: SendFieldNames = { clientMsgId: "msgId", type: "msgType", attach: "attach", ext: "ext" };
export const EDGE_SEND_FIELDS: SendFieldNames = { clientMsgId: "clientMsgId", type: "type", attach: "attach", ext: "ext" };

function textField(v: unknown, field: string, max: number, required: boolean): string | undefined {
  if (v === undefined || v === null) {
    if (required) refuse(field, "required");
    return undefined;
  }
  if (typeof v !== "string") refuse(field, "must be a string");
  if (required && v === "") refuse(field, "required");
  if (longerThan(v, max)) refuse(field, tooLongProblem(max));
  if (LONE_SURROGATE.test(v)) refuse(field, "not valid Unicode (a lone surrogate)");
  return v;
}

function isJsonObjectText(s: string): boolean {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/**
 * A chat room message as NIM limits it, checked on `unknown` (the room edge passes a member's frame
 * as is): a known type; `attach` the text of a text (0) or tip (10) message, else a JSON object,
 * at most 4096 characters; `ext` at most 4096; the client's id at most 128. A refusal is a 414
 * naming the field as the caller spelled it, before anything is numbered or stored.
 */
export function checkChatroomSend(raw: Record<string, unknown>, from: string, names: SendFieldNames): ChatroomSendInput {
  const clientMsgId = textField(raw.clientMsgId, names.clientMsgId, CHATROOM_MSG_ID_MAX, true)!;
  const type = raw.type;
  if (typeof type !== "number" || !TYPES.has(type)) refuse(names.type, `must be one of ${CHATROOM_SENDABLE_TYPES.join(", ")}`);
  const attach = textField(raw.attach, names.attach, CHATROOM_ATTACH_MAX, type === 0) ?? "";
  if (type !== 0 && type !== 10 && attach !== "" && !isJsonObjectText(attach)) refuse(names.attach, "not a JSON object");
  const input: ChatroomSendInput = { from, clientMsgId, type, attach };
  const ext = textField(raw.ext, names.ext, CHATROOM_EXT_MAX, false);
  if (ext) input.ext = ext;
  for (const flag of ["highPriority", "skipHistory"] as const) {
    const v = raw[flag];
    if (v === undefined || v === null) continue;
    if (typeof v !== "boolean") refuse(flag, "must be true or false");
    if (v) input[flag] = true;
  }
  const resend = raw.needHighPriorityMsgResend;
  if (resend !== undefined && resend !== null && typeof resend !== "boolean") refuse("needHighPriorityMsgResend", "must be true or false");
  if (resend === false && input.highPriority) input.noHighPriorityResend = true;
  const nick = textField(raw.fromNick, "fromNick", NICK_MAX, false);
  if (nick) input.fromNick = nick;
  const avator = textField(raw.fromAvator, "fromAvator", AVATOR_MAX, false);
  if (avator) input.fromAvator = avator;
  const clientType = textField(raw.fromClientType, "fromClientType", CLIENT_TYPE_MAX, false);
  if (clientType) input.fromClientType = clientType;
  return input;
}
