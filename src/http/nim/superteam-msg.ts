import { z } from "zod";
import { NimbusError } from "../../protocol/errors.ts";
import { HISTORY_LIMIT_MAX } from "../../messaging/history.ts";
import { superTeamAddress } from "../../contracts/superteam.ts";
import { messageOf } from "../../conversation/entry.ts";
import { isDeleted, isRecalled } from "../../conversation/flags.ts";
import type { MessageType } from "../../protocol/messages.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { nimMessage } from "./msg-format.ts";
import { jsonObject, messageOption, messageType, millis, msgid } from "./msg-params.ts";
import { namedAsSent } from "./caller-names.ts";
import { accid, bool, int, intEnum, jsonArray, jsonObjectText, text } from "./params.ts";
import { tid } from "./team-params.ts";

/** Super team messages (NIM `superteam/*` send, recall, history; reference §3.8). */

const mod = "superteam";
const conv = (id: string) => ({ kind: "superteam" as const, id });

const sendMsg = endpoint({
  module: mod,
  action: "sendMsg",
  summary: "Send a message to the super team as member `fromAccid`; answers data {msgid, timetag, antispam}",
  params: z.object({
    tid: tid(),
    fromAccid: accid(),
    type: messageType(),
    body: jsonObject(5000),
    msgDesc: text(500).optional(),
    antispam: bool().optional(),
    antispamCustom: jsonObjectText(5000).optional(),
    useYidun: intEnum([0, 1]).optional(),
    yidunAntiCheating: jsonObjectText(1024).optional(),
    yidunAntiSpamExt: text(1024).optional(),
    bid: text(64).optional(),
    option: messageOption().optional(),
    ext: text(1024).optional(),
    pushContent: text(500).optional(),
    pushPayload: jsonObjectText(2048).optional(),
    isForcePush: bool().optional(),
    forcePushContent: text(500).optional(),
    forcePushAll: bool().optional(),
    forcePushList: jsonArray(text(32), 100).optional(),
    subType: int(1, 2_147_483_647).optional(),
    env: text(32).optional(),
    isCheckMute: bool().optional(),
  }),
  async handler(ctx, p) {
    const ack = await namedAsSent(
      { tid: "tid", from: "fromAccid" },
      ctx.messaging.send(ctx.app.appKey, conv(p.tid), {
        from: p.fromAccid,
        type: p.type as MessageType,
        body: p.body,
        ...(p.ext !== undefined && { ext: p.ext }),
        ...(p.option !== undefined && { option: p.option }),
      }),
    );
    return { data: { msgid: ack.msgid, timetag: ack.time, antispam: false } };
  },
});

const sendAttachMsg = endpoint({
  module: mod,
  action: "sendAttachMsg",
  summary: "A custom notification from member `from` to the super team's online devices (never stored)",
  params: z.object({
    from: accid(),
    to: tid(),
    attach: text(4096).pipe(z.string().min(1, "required")),
    pushContent: text(500).optional(),
    pushPayload: jsonObjectText(2048).optional(),
    sound: text(30).optional(),
    save: intEnum([1, 2]).optional(),
    option: text(1024).optional(),
    isForcePush: bool().optional(),
    forcePushContent: text(500).optional(),
    forcePushAll: bool().optional(),
    forcePushList: jsonArray(text(32), 100).optional(),
  }),
  async handler(ctx, p) {
    await ctx.superTeams.customNotify(ctx.app.appKey, { tid: p.to, from: p.from, attach: p.attach });
    return {};
  },
});

const recallMsg = endpoint({
  module: mod,
  action: "recallMsg",
  summary: "Recall message `deleteMsgid` of `from` in super team `to`, within the app's recall window (ignoreTime 1: up to 30 days)",
  params: z.object({
    deleteMsgid: msgid(),
    timetag: millis(),
    from: accid(),
    to: tid(),
    msg: text(500).optional(),
    ignoreTime: intEnum([0, 1]).optional(),
    pushContent: text(500).optional(),
    pushPayload: jsonObjectText(2048).optional(),
  }),
  async handler(ctx, p) {
    await namedAsSent(
      { msgid: "deleteMsgid", tid: "to" },
      ctx.messaging.recall(ctx.app.appKey, conv(p.to), { by: null, from: p.from, msgid: p.deleteMsgid, ignoreTime: p.ignoreTime === 1 }),
    );
    return {};
  },
});

const queryHistoryMsg = endpoint({
  module: mod,
  action: "queryHistoryMsg",
  summary:
    "A super team's messages between begintime and endtime as member `accid` sees them, newest first (reverse 2) or oldest first (1)",
  params: z.object({
    tid: tid(),
    accid: accid(),
    begintime: millis(),
    endtime: millis(),
    limit: int(1, HISTORY_LIMIT_MAX),
    reverse: intEnum([1, 2]).optional(),
    type: z
      .string()
      .regex(/^\d+(,\d+)*$/, "must be a comma-separated list of message types")
      .transform((s) => s.split(",").map(Number))
      .optional(),
    excludeMsgid: msgid().optional(),
  }),
  async handler(ctx, p) {
    if (p.endtime < p.begintime) throw new NimbusError("PARAM_ERROR", "endtime: must not be before begintime");
    const msgs = await namedAsSent(
      { peer: "tid", fromTime: "begintime", toTime: "endtime", types: "type" },
      ctx.messaging.history(ctx.app.appKey, {
        accid: p.accid,
        conv: conv(p.tid),
        fromTime: p.begintime,
        toTime: p.endtime,
        limit: p.limit,
        order: p.reverse === 1 ? "asc" : "desc",
        ...(p.type !== undefined && { types: p.type }),
        ...(p.excludeMsgid !== undefined && { excludeMsgid: p.excludeMsgid }),
        withoutRecalled: true,
      }),
    );
    return { size: msgs.length, tid: Number(p.tid), msgs: msgs.map(nimMessage) };
  },
});

const msgRef = z.object({
  msgid: z.union([z.number(), z.string()]).transform((v) => Number(v)),
  from: z.string().optional(),
  to: z.union([z.number(), z.string()]).transform((v) => String(v)),
  time: z.union([z.number(), z.string()]).optional(),
});

const queryHistoryMsgByIds = endpoint({
  module: mod,
  action: "queryHistoryMsgByIds",
  summary: "Super team messages by `msgs` (JSON array ≤ 100 of {msgid, from, to, time}); those not found are left out",
  params: z.object({ msgs: jsonArray(msgRef, 100) }),
  async handler(ctx, p) {
    const out = [];
    for (const ref of p.msgs) {
      if (!Number.isSafeInteger(ref.msgid) || ref.msgid <= 0 || !/^[1-9]\d{0,15}$/.test(ref.to)) {
        throw new NimbusError("PARAM_ERROR", "msgs: each needs a positive msgid and a super team id `to`");
      }
      const e = await ctx.system.journal.getByMsgid(ref.msgid);
      if (!e || e.unreadable || e.conversation !== superTeamAddress(ctx.app.appKey, ref.to)) continue;
      if (isDeleted(e.flags) || isRecalled(e.flags) || (ref.from !== undefined && e.from !== ref.from)) continue;
      out.push(nimMessage(messageOf(e)));
    }
    return { msgs: out };
  },
});

export const superTeamMsgEndpoints: readonly NimEndpoint[] = [sendMsg, sendAttachMsg, recallMsg, queryHistoryMsg, queryHistoryMsgByIds];
