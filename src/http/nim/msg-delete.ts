import { z } from "zod";
import { p2pConversation } from "../../conversation/ref.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { namedAsSent } from "./caller-names.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { millis, msgid } from "./msg-params.ts";
import { accid, intEnum } from "./params.ts";

/**
 * NIM's two-way delete and conversation removal (msg/delMsg, msg/delRoamSession), as NIM's Java
 * SDK sends them (DeleteMessageRequestV1, DeleteRoamSessionRequestV1); it reads an optional
 * `data` it does not need, so the answer is `{code:200}`.
 */

const delMsg = endpoint({
  module: "msg",
  action: "delMsg",
  summary:
    "Delete a message of `from` for everyone: p2p (type 7) for both sides, gone from history, sync and unread counts; or a team message (type 8, `to` the tid) for every member. The devices get a msgDeleted event",
  params: z.object({ deleteMsgid: msgid(), timetag: millis(), type: intEnum([7, 8]), from: accid(), to: accid() }),
  async handler(ctx, p) {
    if (p.type === 8 && !/^[1-9]\d{0,15}$/.test(p.to)) throw new NimbusError("PARAM_ERROR", "to: must be a team id with type 8");
    const conv = p.type === 8 ? { kind: "team" as const, id: p.to } : p2pConversation(p.from, p.to);
    await namedAsSent(
      { msgid: "deleteMsgid", tid: "to" },
      ctx.messaging.deleteMessage(ctx.app.appKey, conv, { from: p.from, msgid: p.deleteMsgid }),
    );
    return {};
  },
});

const delRoamSession = endpoint({
  module: "msg",
  action: "delRoamSession",
  summary:
    "Remove the p2p conversation with `to` (type 1), the team `to` (type 2) or the super team `to` (type 3) from `from`'s conversation list and roaming, until its next message; `from`'s devices get a sessionRemoved event",
  params: z.object({ type: intEnum([1, 2, 3]), from: accid(), to: accid() }),
  async handler(ctx, p) {
    const group = p.type === 2 ? ("team" as const) : p.type === 3 ? ("superteam" as const) : undefined;
    if (group && !/^[1-9]\d{0,15}$/.test(p.to)) throw new NimbusError("PARAM_ERROR", `to: must be a team id with type ${p.type}`);
    if (p.type === 1 && p.from === p.to) throw new NimbusError("PARAM_ERROR", "to: must not be the account itself");
    const conv = group ? { kind: group, id: p.to } : p2pConversation(p.from, p.to);
    const member = await namedAsSent({ accid: "from", tid: "to" }, ctx.messaging.removeConversation(ctx.app.appKey, p.from, conv));
    if (group && !member)
      throw new NimbusError("TEAM_NOT_MEMBER", `from: ${p.from} is not a member of ${group === "team" ? "team" : "super team"} ${p.to}`);
    return {};
  },
});

export const msgDeleteEndpoints: readonly NimEndpoint[] = [delMsg, delRoamSession];
