import { z } from "zod";
import { nimClientTypeNumber } from "../../protocol/client-type-number.ts";
import type { ChatroomMessage } from "../../protocol/chatroom.ts";
import { CHATROOM_HISTORY_LIMIT_MAX } from "../../chatrooms/service.ts";
import {
  CHATROOM_ATTACH_MAX,
  CHATROOM_EXT_MAX,
  CHATROOM_MSG_ID_MAX,
  CHATROOM_SENDABLE_TYPES,
  checkChatroomSend,
  REST_SEND_FIELDS,
} from "../../chatrooms/validate.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { namedAsSent } from "./caller-names.ts";
import { millis } from "./msg-params.ts";
import { accid, bool, int, intEnum, jsonObjectText, requiredText, text } from "./params.ts";
import { askRoom, NOTIFY_EXT_MAX, roomid } from "./chatroom-params.ts";

/** NIM's `type` filter: message types separated by commas, e.g. "0,1,100". */
const typeList = z
  .string()
  .regex(/^\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*$/, "must be message types separated by commas")
  .transform((s) => s.split(",").map((t) => Number(t.trim())))
  .meta({ description: "message types separated by commas" });

/** A chat room message as NIM's server API shows it (sendMsg's desc, history's msgs), with the seq and msgid beside. */
function restMessage(m: ChatroomMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    roomId: m.roomid,
    msgid: m.msgid,
    msgid_client: m.clientMsgId,
    seq: m.seq,
    fromAccount: m.from,
    fromNick: m.fromNick ?? "",
    fromAvator: m.fromAvator ?? "",
    fromClientType: m.fromClientType ?? "REST",
    time: m.time,
    type: m.type,
    attach: m.attach,
    ext: m.ext ?? "",
    highPriorityFlag: m.highPriority ? 1 : 0,
  };
  if (m.recalled) out.recalled = true;
  return out;
}

/**
 * A message as history/queryChatroomMsg shows it: NIM's history keys (`from`, `sendtime`,
 * `fromclienttype` as NIM's number, `body`), which NIM's Java and Go SDKs read, beside the keys
 * sendMsg answers.
 */
function historyMessage(m: ChatroomMessage): Record<string, unknown> {
  return {
    ...restMessage(m),
    from: m.from,
    sendtime: m.time,
    fromclienttype: nimClientTypeNumber(m.fromClientType),
    body: m.attach,
  };
}

const sendMsg = endpoint({
  module: "chatroom",
  action: "sendMsg",
  summary:
    "Send a message to a chat room as fromAccid; a resend with the same msgId answers the first result. Online members only: a room keeps no offline messages",
  params: z.object({
    roomid: roomid(),
    msgId: requiredText(CHATROOM_MSG_ID_MAX),
    fromAccid: accid(),
    msgType: intEnum(CHATROOM_SENDABLE_TYPES),
    resendFlag: intEnum([0, 1]).optional(),
    attach: text(CHATROOM_ATTACH_MAX).optional(),
    ext: text(CHATROOM_EXT_MAX).optional(),
    skipHistory: intEnum([0, 1]).optional(),
    abandonRatio: int(0, 9999).optional(),
    highPriority: bool().optional(),
    needHighPriorityMsgResend: bool().optional(),
    useYidun: intEnum([0, 1]).optional(),
    yidunAntiCheating: jsonObjectText(1024).optional(),
    bid: text(64).optional(),
    antispam: bool().optional(),
    antispamCustom: jsonObjectText(5000).optional(),
    env: text(32).optional(),
  }),
  async handler(ctx, p) {
    await ctx.chatrooms.requireAccount(ctx.app.appKey, p.fromAccid, "fromAccid");
    const input = checkChatroomSend(
      {
        clientMsgId: p.msgId,
        type: p.msgType,
        attach: p.attach,
        ext: p.ext,
        // NIM: abandonRatio turns highPriority off.
        highPriority: p.highPriority === true && p.abandonRatio === undefined,
        needHighPriorityMsgResend: p.needHighPriorityMsgResend,
        skipHistory: p.skipHistory === 1,
      },
      p.fromAccid,
      REST_SEND_FIELDS,
    );
    const ack = await namedAsSent({ clientMsgId: "msgId" }, ctx.chatrooms.send(ctx.app, p.roomid, input));
    return { desc: { ...restMessage(ack.message), msgAbandonFlag: 0 } };
  },
});

const recall = endpoint({
  module: "chatroom",
  action: "recall",
  summary: "Recall a chat room message (by its msgId and sender); the room is told. operatorAcc: the sender, a manager or the creator",
  params: z.object({
    roomid: roomid(),
    msgTimetag: millis(),
    fromAcc: accid(),
    msgId: requiredText(CHATROOM_MSG_ID_MAX),
    operatorAcc: accid(),
    notifyExt: text(NOTIFY_EXT_MAX).optional(),
  }),
  async handler(ctx, p) {
    await askRoom(ctx, p.roomid, {
      t: "recall",
      operator: p.operatorAcc,
      from: p.fromAcc,
      clientMsgId: p.msgId,
      time: p.msgTimetag,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    return {};
  },
});

const queryChatroomMsg = endpoint({
  module: "history",
  action: "queryChatroomMsg",
  summary:
    "A chat room's history (10 days): from timetag (0 = now) newest first (reverse 2, the default) or oldest first (1), at most 200; type filters",
  params: z.object({
    roomid: roomid(),
    accid: accid(),
    timetag: millis(),
    limit: int(1, CHATROOM_HISTORY_LIMIT_MAX),
    reverse: intEnum([1, 2]).optional(),
    type: typeList.optional(),
  }),
  async handler(ctx, p) {
    await ctx.chatrooms.get(ctx.app.appKey, p.roomid);
    const msgs = await ctx.chatrooms.history(ctx.app, {
      roomid: p.roomid,
      timetag: p.timetag,
      limit: p.limit,
      reverse: p.reverse ?? 2,
      ...(p.type !== undefined && { types: p.type }),
    });
    return { size: msgs.length, msgs: msgs.map(historyMessage) };
  },
});

/** Chat room messages and their history. */
export const chatroomMessageEndpoints: readonly NimEndpoint[] = [sendMsg, recall, queryChatroomMsg];
