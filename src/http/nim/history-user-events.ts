import { z } from "zod";
import { userAddress, type LoginEventRecord, type UserProtocol } from "../../contracts/user.ts";
import type { RequestNamed } from "../../runtime/actor-ref.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { nimClientTypeNumber } from "../../protocol/client-type-number.ts";
import { endpoint } from "./endpoint.ts";
import { millis } from "./msg-params.ts";
import { accid, int, intEnum } from "./params.ts";

/** NIM's cap on one page of `history/queryUserEvents`. */
export const USER_EVENTS_LIMIT_MAX = 100;

/**
 * One event as NIM answers it: `eventType` 2 login / 3 logout, `clientType` as NIM's number (both
 * official SDKs type it as an integer), `code` 200. A logout adds `logoutReason` (NIM data sync's
 * 1 logout, 2 disconnect, 3 kicked by the user's other device, 4 by the policy; 5 by the app server).
 */
function nimUserEvent(accid: string, e: LoginEventRecord): Record<string, unknown> {
  return {
    accid,
    timestamp: e.time,
    eventType: e.eventType,
    clientIp: e.ip,
    sdkVersion: e.sdkVersion ?? "",
    clientType: nimClientTypeNumber(e.clientType),
    deviceId: e.deviceId,
    customTag: e.customTag ?? "",
    code: 200,
    ...(e.reason !== undefined && { logoutReason: e.reason }),
  };
}

export const queryUserEvents = endpoint({
  module: "history",
  action: "queryUserEvents",
  summary:
    "An account's logins (eventType 2) and logouts (3) between begintime and endtime (both inclusive), newest first (reverse 2, the default) or oldest first (1)",
  params: z.object({
    accid: accid(),
    begintime: millis(),
    endtime: millis(),
    limit: int(1, USER_EVENTS_LIMIT_MAX),
    reverse: intEnum([1, 2]).optional(),
  }),
  async handler(ctx, p) {
    if (p.endtime < p.begintime) throw new NimbusError("PARAM_ERROR", "endtime: must not be before begintime");
    const user = userAddress(ctx.app.appKey, p.accid);
    if (!(await ctx.system.ask(user, { t: "get" }))) throw new NimbusError("NOT_FOUND", `accid: account ${p.accid} does not exist`);
    const question: RequestNamed<UserProtocol, "loginEvents"> = {
      t: "loginEvents",
      fromTime: p.begintime,
      toTime: p.endtime,
      limit: p.limit,
      order: p.reverse === 1 ? "asc" : "desc",
    };
    const events = await ctx.system.ask(user, question);
    return { size: events.length, events: events.map((e) => nimUserEvent(p.accid, e)) };
  },
});
