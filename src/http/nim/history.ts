import { p2pConversation } from "../../conversation/ref.ts";
import { z } from "zod";
import { userAddress } from "../../contracts/user.ts";
import { HISTORY_LIMIT_MAX } from "../../messaging/history.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { nimMessage, nimSession } from "./msg-format.ts";
import { millis, msgid } from "./msg-params.ts";
import { namedAsSent } from "./caller-names.ts";
import { accid, bool, int, intEnum } from "./params.ts";
import { tid } from "./team-params.ts";
import { queryUserEvents } from "./history-user-events.ts";

/** NIM's `type` filter: message types separated by commas, e.g. "0,1,100". */
const typeList = z
  .string()
  .regex(/^\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*$/, "must be message types separated by commas")
  .transform((s) => s.split(",").map((t) => Number(t.trim())))
  .meta({ description: "message types separated by commas" });

/** The service's names for querySessionMsg's parameters. */
const HISTORY_NAMES = { accid: "from", peer: "to", fromTime: "begintime", toTime: "endtime", types: "type" } as const;

const querySessionMsg = endpoint({
  module: "history",
  action: "querySessionMsg",
  summary:
    "A p2p conversation's messages between begintime and endtime (both inclusive) as `from` sees them, newest first (reverse 2) or oldest first (1). To page: the next page starts at the last message's sendtime with excludeMsgid set to its msgid",
  params: z.object({
    from: accid(),
    to: accid(),
    begintime: millis(),
    endtime: millis(),
    limit: int(1, HISTORY_LIMIT_MAX),
    reverse: intEnum([1, 2]).optional(),
    type: typeList.optional(),
    includeNoSenseMsg: bool().optional(),
    excludeMsgid: msgid().optional(),
  }),
  async handler(ctx, p) {
    if (p.from === p.to) throw new NimbusError("PARAM_ERROR", "to: must not be the account itself");
    if (p.endtime < p.begintime) throw new NimbusError("PARAM_ERROR", "endtime: must not be before begintime");
    const msgs = await namedAsSent(
      HISTORY_NAMES,
      ctx.messaging.history(ctx.app.appKey, {
        accid: p.from,
        conv: p2pConversation(p.from, p.to),
        fromTime: p.begintime,
        toTime: p.endtime,
        limit: p.limit,
        order: p.reverse === 1 ? "asc" : "desc",
        ...(p.type !== undefined && { types: p.type }),
        ...(p.excludeMsgid !== undefined && { excludeMsgid: p.excludeMsgid }),
        // As NIM: a recalled message is gone from the server API's history, not an empty message.
        withoutRecalled: true,
      }),
    );
    return { size: msgs.length, msgs: msgs.map(nimMessage) };
  },
});

/** The service's names for queryTeamMsg's parameters. */
const TEAM_HISTORY_NAMES = { peer: "tid", fromTime: "begintime", toTime: "endtime", types: "type" } as const;

const queryTeamMsg = endpoint({
  module: "history",
  action: "queryTeamMsg",
  summary:
    "A team's messages between begintime and endtime (both inclusive) as member `accid` sees them, newest first (reverse 2) or oldest first (1); checkTeamValid false also answers a former member",
  params: z.object({
    tid: tid(),
    accid: accid(),
    begintime: millis(),
    endtime: millis(),
    limit: int(1, HISTORY_LIMIT_MAX),
    reverse: intEnum([1, 2]).optional(),
    type: typeList.optional(),
    checkTeamValid: bool().optional(),
    includeNoSenseMsg: bool().optional(),
    excludeMsgid: msgid().optional(),
  }),
  async handler(ctx, p) {
    if (p.endtime < p.begintime) throw new NimbusError("PARAM_ERROR", "endtime: must not be before begintime");
    const msgs = await namedAsSent(
      TEAM_HISTORY_NAMES,
      ctx.messaging.history(ctx.app.appKey, {
        accid: p.accid,
        conv: { kind: "team", id: p.tid },
        fromTime: p.begintime,
        toTime: p.endtime,
        limit: p.limit,
        order: p.reverse === 1 ? "asc" : "desc",
        ...(p.type !== undefined && { types: p.type }),
        ...(p.excludeMsgid !== undefined && { excludeMsgid: p.excludeMsgid }),
        ...(p.checkTeamValid === false && { checkMember: false }),
        // As NIM, and as querySessionMsg: a recalled message is gone from the server API's history.
        withoutRecalled: true,
      }),
    );
    return { size: msgs.length, msgs: msgs.map(nimMessage) };
  },
});

const querySessionList = endpoint({
  module: "history",
  action: "querySessionList",
  summary: "An account's conversations updated between minTimestamp and maxTimestamp, most recent first, with unread counts",
  params: z.object({
    accid: accid(),
    minTimestamp: millis().optional(),
    maxTimestamp: millis().optional(),
    limit: int(1, 100).optional(),
    needLastMsg: intEnum([0, 1]).optional(),
  }),
  async handler(ctx, p) {
    const min = p.minTimestamp ?? 0;
    const max = p.maxTimestamp ?? Date.now();
    if (max < min) throw new NimbusError("PARAM_ERROR", "maxTimestamp: must not be before minTimestamp");
    const limit = p.limit ?? 100;
    const user = await ctx.system.ask(userAddress(ctx.app.appKey, p.accid), { t: "get" });
    if (!user) throw new NimbusError("NOT_FOUND", `accid: account ${p.accid} does not exist`);
    const all = await namedAsSent(
      { updatedSince: "minTimestamp" },
      ctx.messaging.conversations(ctx.app.appKey, p.accid, { updatedSince: min }),
    );
    const inRange = all.filter((c) => c.updatedAt <= max);
    const sessions = inRange.slice(0, limit).map((c) => nimSession(c, p.needLastMsg === 1));
    return { data: { hasMore: inRange.length > limit, sessions } };
  },
});

/** The `history/*` family of NIM's server API v1 (reference §3.6): p2p, teams, the login event log. */
export const historyEndpoints: readonly NimEndpoint[] = [querySessionMsg, queryTeamMsg, querySessionList, queryUserEvents];
