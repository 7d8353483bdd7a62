import { z } from "zod";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { ACCID_PATTERN } from "../../protocol/accid.ts";
import { jsonArray } from "./params.ts";
import { askUser } from "./user-ask.ts";

/** NIM publishes no cap for this call; the same as getUinfos keeps one request's fan-out bounded. */
export const ONLINE_STATUS_MAX = 200;

interface OnlineStatus {
  accid: string;
  statusList: { loginTime: number; clientType: string }[];
}

const userOnlineStatus = endpoint({
  module: "user",
  action: "userOnlineStatus",
  summary: "Online devices of accounts; ids that are malformed or not registered are listed in invalidAccids",
  params: z.object({ accids: jsonArray(z.string({ error: "must be a string" }), ONLINE_STATUS_MAX) }),
  async handler(ctx, p) {
    const lookups = await Promise.all(
      p.accids.map(async (given): Promise<{ given: string; status: OnlineStatus | null }> => {
        if (!ACCID_PATTERN.test(given)) return { given, status: null };
        const record = await askUser(ctx, given.toLowerCase(), { t: "get" });
        if (!record) return { given, status: null };
        const devices = await ctx.presence.devicesOf(ctx.app.appKey, record.accid);
        return {
          given,
          status: { accid: record.accid, statusList: devices.map((d) => ({ loginTime: d.loginTime, clientType: d.clientType })) },
        };
      }),
    );
    const invalidAccids: string[] = [];
    const onlineStatusList: OnlineStatus[] = [];
    const seen = new Set<string>();
    for (const { given, status } of lookups) {
      if (!status) invalidAccids.push(given);
      // Offline accounts stay in the list with no devices, so "offline" differs from "unknown".
      else if (!seen.has(status.accid)) {
        seen.add(status.accid);
        onlineStatusList.push(status);
      }
    }
    return { data: { invalidAccids, onlineStatusList } };
  },
});

/** Presence, as the REST API sees it. */
export const onlineEndpoints: readonly NimEndpoint[] = [userOnlineStatus];
