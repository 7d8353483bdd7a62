import { z } from "zod";
import { userAddress } from "../../contracts/user.ts";
import { ATTACH_MAX } from "../../messaging/validate.ts";
import { mapLimit } from "../../util/map-limit.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { namedAsSent } from "./caller-names.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accidList, jsonSwitches } from "./msg-params.ts";
import { accid, bool, intEnum, jsonArray, jsonObjectText, requiredText, text } from "./params.ts";

const BATCH_MAX = 500;
const BATCH_PARALLEL = 16;

/**
 * NIM's notification `option`: badge, needPushNick, route — all push switches, checked and unused.
 * Kept apart from a message's option: its keys and defaults differ (needPushNick defaults false).
 */
const noticeOption = jsonSwitches(1024, ["badge", "needPushNick", "route"]);

/** save: 1 online only (never stored), 2 stored for offline delivery (NIM's default). */
const noticeParams = {
  attach: requiredText(ATTACH_MAX),
  pushcontent: text(500).optional(),
  payload: jsonObjectText(2048).optional(),
  sound: text(30).optional(),
  save: intEnum([1, 2]).optional(),
  option: noticeOption.optional(),
  isForcePush: bool().optional(),
  forcePushContent: text(500).optional(),
  forcePushAll: bool().optional(),
  forcePushList: jsonArray(text(32), 100).optional(),
  env: text(32).optional(),
};

const sendAttachMsg = endpoint({
  module: "msg",
  action: "sendAttachMsg",
  summary:
    "Send a custom system notification (msgtype 0: to an account; save 2 keeps it for offline devices, 1 only reaches online ones; msgtype 1: to a team's members, `from` a member; save 2 stores it once for the team, for members offline now)",
  params: z.object({ from: accid(), msgtype: intEnum([0, 1]), to: accid(), ...noticeParams, checkAccidAsyncEnable: bool().optional() }),
  async handler(ctx, p) {
    if (p.msgtype === 1) {
      if (!/^[1-9]\d{0,15}$/.test(p.to)) throw new NimbusError("PARAM_ERROR", "to: must be a team id with msgtype 1");
      await namedAsSent(
        { tid: "to" },
        ctx.teams.customNotify(ctx.app.appKey, { tid: p.to, from: p.from, attach: p.attach, save: (p.save ?? 2) === 2 }),
      );
      return {};
    }
    await ctx.messaging.notify(ctx.app.appKey, { from: p.from, to: p.to, attach: p.attach, save: (p.save ?? 2) === 2 });
    return {};
  },
});

const sendBatchAttachMsg = endpoint({
  module: "msg",
  action: "sendBatchAttachMsg",
  summary: "Send one custom system notification to up to 500 accounts; answers the accounts that do not exist (`unregister`)",
  params: z.object({ fromAccid: accid(), toAccids: accidList(BATCH_MAX), ...noticeParams }),
  async handler(ctx, p) {
    const appKey = ctx.app.appKey;
    const save = (p.save ?? 2) === 2;
    // The sender first, alone: a missing sender is the caller's error, not every recipient's.
    const sender = await ctx.system.ask(userAddress(appKey, p.fromAccid), { t: "get" });
    if (!sender) throw new NimbusError("NOT_FOUND", `fromAccid: account ${p.fromAccid} does not exist`);
    const missing = await mapLimit(p.toAccids, BATCH_PARALLEL, async (to) => {
      try {
        await namedAsSent(
          { from: "fromAccid", to: "toAccids" },
          ctx.messaging.notify(appKey, { from: p.fromAccid, to, attach: p.attach, save }),
        );
        return false;
      } catch (err) {
        if (err instanceof NimbusError && err.code === 404) return true;
        throw err;
      }
    });
    return { unregister: p.toAccids.filter((_, i) => missing[i]) };
  },
});

export const msgNotifyEndpoints: readonly NimEndpoint[] = [sendAttachMsg, sendBatchAttachMsg];
