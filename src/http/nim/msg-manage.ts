import { z } from "zod";
import { p2pConversation } from "../../conversation/ref.ts";
import { CLIENT_MSG_ID_MAX } from "../../messaging/validate.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { namedAsSent } from "./caller-names.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { millis, msgid } from "./msg-params.ts";
import { accid, intEnum, jsonArray, jsonObjectText, requiredText, text } from "./params.ts";
import { tid } from "./team-params.ts";

const markReadMsg = endpoint({
  module: "msg",
  action: "markReadMsg",
  summary:
    "`from` has read the conversation with `to` up to the message msgidClient (up to the newest message when no message has that id); `to`'s devices get a read receipt; data.timestamp is the receipt's time",
  params: z.object({ from: accid(), to: accid(), msgidClient: requiredText(CLIENT_MSG_ID_MAX) }),
  async handler(ctx, p) {
    if (p.from === p.to) throw new NimbusError("PARAM_ERROR", "to: must not be the reader");
    const conv = p2pConversation(p.from, p.to);
    const ref = await ctx.messaging.lookup(ctx.app.appKey, conv, { from: p.from, clientMsgId: p.msgidClient });
    // NIM's receipt is a time: everything sent before it is read. A msgidClient that names no message
    // (NIM's Java SDK's own test sends one and expects 200) marks the conversation read as of now.
    const seq = ref ? ref.seq : Number.MAX_SAFE_INTEGER;
    const receipt = await namedAsSent(
      { reader: "from", peer: "to", seq: "msgidClient" },
      ctx.messaging.markRead(ctx.app.appKey, conv, { reader: p.from, seq }),
    );
    // The Java SDK reads data.timestamp.
    return { data: { timestamp: receipt.time } };
  },
});

/** Parameters NIM's recall and one-way delete share; `msg` (a description for the notice) is accepted and not shown. */
const removeParams = {
  deleteMsgid: msgid(),
  timetag: millis(),
  from: accid(),
  to: accid(),
  msg: text(5000).optional(),
};

const recall = endpoint({
  module: "msg",
  action: "recall",
  summary:
    "Recall a p2p message (type 7) for both sides, or a team message (type 8, `to` the tid) for every member, within the app's recall window (ignoreTime=1: up to 30 days); past it, 508",
  params: z.object({
    ...removeParams,
    type: intEnum([7, 8]),
    ignoreTime: intEnum([0, 1]).optional(),
    pushcontent: text(500).optional(),
    payload: jsonObjectText(2048).optional(),
    env: text(32).optional(),
    attach: text(5000).optional(),
  }),
  async handler(ctx, p) {
    if (p.type === 8 && !/^[1-9]\d{0,15}$/.test(p.to)) throw new NimbusError("PARAM_ERROR", "to: must be a team id with type 8");
    const conv = p.type === 8 ? { kind: "team" as const, id: p.to } : p2pConversation(p.from, p.to);
    await namedAsSent(
      { msgid: "deleteMsgid", tid: "to" },
      ctx.messaging.recall(ctx.app.appKey, conv, { by: null, from: p.from, msgid: p.deleteMsgid, ignoreTime: p.ignoreTime === 1 }),
    );
    return {};
  },
});

/**
 * NIM's one-way recall (单向撤回): the message of `from` disappears for the recipient `to` only;
 * the sender still sees it.
 */
const delMsgOneWay = endpoint({
  module: "msg",
  action: "delMsgOneWay",
  summary:
    "Remove a p2p message (type 13) from the recipient's view only, or a team message (type 14, `to` the tid) from every member's but its sender's; the sender still sees it",
  params: z.object({ ...removeParams, type: intEnum([13, 14]) }),
  async handler(ctx, p) {
    if (p.type === 14) {
      if (!/^[1-9]\d{0,15}$/.test(p.to)) throw new NimbusError("PARAM_ERROR", "to: must be a team id with type 14");
      await namedAsSent(
        { accid: "from", peer: "to", tid: "to", msgid: "deleteMsgid" },
        ctx.messaging.deleteOneWay(ctx.app.appKey, { kind: "team", id: p.to }, { accid: p.from, msgid: p.deleteMsgid }),
      );
      return {};
    }
    if (p.from === p.to) throw new NimbusError("PARAM_ERROR", "to: must not be the sender");
    await namedAsSent(
      { accid: "to", peer: "from", msgid: "deleteMsgid" },
      ctx.messaging.deleteOneWay(ctx.app.appKey, p2pConversation(p.to, p.from), { accid: p.to, msgid: p.deleteMsgid }),
    );
    return {};
  },
});

/** NIM: at most 100 msgids per markReadTeamMsg (a page of history). */
const TEAM_READ_MSGIDS_MAX = 100;

const markReadTeamMsg = endpoint({
  module: "msg",
  action: "markReadTeamMsg",
  summary:
    "`accid` has read team `tid` up to the newest of `msgids` (team read receipts); answers the msgids that are not the team's (errMsgIds)",
  params: z.object({
    accid: accid(),
    tid: tid(),
    msgids: jsonArray(
      z.number({ error: "must be a message id" }).int("must be a message id").positive("must be a message id").max(Number.MAX_SAFE_INTEGER),
      TEAM_READ_MSGIDS_MAX,
    ),
  }),
  async handler(ctx, p) {
    const r = await ctx.teams.markRead(ctx.app.appKey, { tid: p.tid, accid: p.accid, msgids: [...new Set(p.msgids)] });
    return { data: { errMsgIds: r.errMsgIds } };
  },
});

export const msgManageEndpoints: readonly NimEndpoint[] = [markReadMsg, recall, delMsgOneWay, markReadTeamMsg];
