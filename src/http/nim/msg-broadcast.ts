import { z } from "zod";
import { userAddress } from "../../contracts/user.ts";
import { Broadcasts } from "../../messaging/broadcasts.ts";
import { BROADCAST_OS } from "../../protocol/broadcasts.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { endpoint, type NimContext, type NimEndpoint } from "./endpoint.ts";
import { msgid } from "./msg-params.ts";
import { accid, bool, int, intEnum, jsonArray, requiredText } from "./params.ts";

/**
 * App-wide broadcasts (NIM msg/broadcastMsg and history/*BroadcastMsg*), with the parameters and
 * answers of NIM's official SDKs: Java (BroadcastMessageRequestV1, QueryBroadcastHistoryMessage*)
 * and Go (message/history v1 structs) both read `msg` / `msgs[]` with `broadcastId`, `from`,
 * `body`, `targetOs` (an array of strings), `isOffline`, `createTime`, `expireTime`.
 */

const BODY_MAX = 4096;
/** NIM's ttl: hours, 1 hour to 14 days, 7 days when absent. */
const TTL_MAX_HOURS = 14 * 24;
const TTL_DEFAULT_HOURS = 7 * 24;
const QUERY_LIMIT_MAX = 100;

function broadcasts(ctx: NimContext): Broadcasts {
  return new Broadcasts(ctx.system);
}

const broadcastMsg = endpoint({
  module: "msg",
  action: "broadcastMsg",
  summary:
    "Broadcast to every online device of the app (targetOs: only those systems); with isOffline, also to devices that log in before it expires (ttl hours, default 7 days)",
  params: z.object({
    body: requiredText(BODY_MAX),
    from: accid().optional(),
    isOffline: bool().optional(),
    ttl: int(1, TTL_MAX_HOURS).optional(),
    targetOs: jsonArray(z.enum(BROADCAST_OS, { error: `must be one of ${BROADCAST_OS.join(", ")}` }), BROADCAST_OS.length).optional(),
  }),
  async handler(ctx, p) {
    if (p.from !== undefined) {
      const user = await ctx.system.ask(userAddress(ctx.app.appKey, p.from), { t: "get" });
      if (!user) throw new NimbusError("NOT_FOUND", `from: account ${p.from} does not exist`);
    }
    const msg = await broadcasts(ctx).send(ctx.app.appKey, {
      body: p.body,
      isOffline: p.isOffline ?? false,
      ttlHours: p.ttl ?? TTL_DEFAULT_HOURS,
      ...(p.from !== undefined && { from: p.from }),
      ...(p.targetOs !== undefined && { targetOs: [...new Set(p.targetOs)] }),
    });
    return { msg: nimBroadcast(msg) };
  },
});

const queryBroadcastMsg = endpoint({
  module: "history",
  action: "queryBroadcastMsg",
  summary:
    "Broadcasts newest first from broadcastId (inclusive; 0 or absent = the newest), at most limit (default 100); type 1 all, 2 stored for offline devices, 3 not stored",
  params: z.object({
    broadcastId: int(0, Number.MAX_SAFE_INTEGER).optional(),
    limit: int(1, QUERY_LIMIT_MAX).optional(),
    type: intEnum([1, 2, 3]).optional(),
  }),
  async handler(ctx, p) {
    const msgs = await broadcasts(ctx).list(ctx.app.appKey, {
      startId: p.broadcastId ?? 0,
      limit: p.limit ?? QUERY_LIMIT_MAX,
      type: p.type ?? 1,
    });
    return { msgs: msgs.map(nimBroadcast) };
  },
});

const queryBroadcastMsgById = endpoint({
  module: "history",
  action: "queryBroadcastMsgById",
  summary: "One broadcast by id (404 when deleted, expired or unknown)",
  params: z.object({ broadcastId: msgid() }),
  async handler(ctx, p) {
    const msg = await broadcasts(ctx).get(ctx.app.appKey, p.broadcastId);
    if (!msg) throw new NimbusError("NOT_FOUND", `broadcastId: no broadcast ${p.broadcastId}`);
    return { msg: nimBroadcast(msg) };
  },
});

const delBroadcastMsgById = endpoint({
  module: "history",
  action: "delBroadcastMsgById",
  summary: "Delete one broadcast: no longer listed, nor delivered to devices that log in later",
  params: z.object({ broadcastId: msgid() }),
  async handler(ctx, p) {
    if (!(await broadcasts(ctx).remove(ctx.app.appKey, p.broadcastId))) {
      throw new NimbusError("NOT_FOUND", `broadcastId: no broadcast ${p.broadcastId}`);
    }
    return {};
  },
});

/** A broadcast as NIM answers it: without the per-app seq, which only devices use. */
function nimBroadcast(b: {
  broadcastId: number;
  from?: string;
  body: string;
  targetOs?: string[];
  isOffline: boolean;
  createTime: number;
  expireTime: number;
}) {
  return {
    broadcastId: b.broadcastId,
    ...(b.from !== undefined && { from: b.from }),
    body: b.body,
    ...(b.targetOs !== undefined && { targetOs: b.targetOs }),
    isOffline: b.isOffline,
    createTime: b.createTime,
    expireTime: b.expireTime,
  };
}

export const msgBroadcastEndpoints: readonly NimEndpoint[] = [broadcastMsg];
export const historyBroadcastEndpoints: readonly NimEndpoint[] = [queryBroadcastMsg, queryBroadcastMsgById, delBroadcastMsgById];
