import { z } from "zod";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { ACCID_PATTERN } from "../../protocol/accid.ts";
import { jsonArray } from "./params.ts";
import { askUser } from "./user-ask.ts";
import { nimClientTypeNumber } from "../../protocol/client-type-number.ts";

/** NIM publishes no cap for this call; the same as getUinfos keeps one request's fan-out bounded. */
export const ONLINE_STATUS_MAX = 200;

interface DeviceStatus {
  loginTime: number;
  /** NIM's number (1 AOS, 2 IOS, 4 PC, 16 WEB, 64 MAC, 65 HARMONY): both SDKs read an integer. */
  clientType: number;
}

interface OnlineStatus {
  accid: string;
  statusList: DeviceStatus[];
}

const userOnlineStatus = endpoint({
  module: "user",
  action: "userOnlineStatus",
  summary: "Online devices of accounts, for those with any online; ids that are malformed or not registered are listed in invalidAccids",
  params: z.object({ accids: jsonArray(z.string({ error: "must be a string" }), ONLINE_STATUS_MAX) }),
  async handler(ctx, p) {
    const lookups = await Promise.all(
      p.accids.map(async (given): Promise<{ given: string; status: OnlineStatus | null }> => {
        if (!ACCID_PATTERN.test(given)) return { given, status: null };
        const record = await askUser(ctx, given.toLowerCase(), { t: "get" });
        if (!record) return { given, status: null };
        const devices = await ctx.presence.devicesOf(ctx.app.appKey, record.accid);
        const statusList = devices.map((d) => ({ loginTime: d.loginTime, clientType: nimClientTypeNumber(d.clientType) }));
        return { given, status: { accid: record.accid, statusList } };
      }),
    );
    const invalidAccids: string[] = [];
    const onlineStatusList: OnlineStatus[] = [];
    const status = new Map<string, DeviceStatus[]>();
    for (const { given, status: found } of lookups) {
      if (!found) invalidAccids.push(given);
      // An offline account is neither invalid nor listed: NIM's Java SDK's own test expects no entry.
      else if (found.statusList.length > 0 && !status.has(found.accid)) {
        onlineStatusList.push(found);
        status.set(found.accid, found.statusList);
      }
    }
    // The same answer twice: the Go SDK reads onlineStatusList, the Java SDK reads status (keyed by accid).
    // (fromEntries defines own keys, so no accid can reach a prototype.)
    return { data: { invalidAccids, onlineStatusList, status: Object.fromEntries(status) } };
  },
});

/** Presence, as the REST API sees it. */
export const onlineEndpoints: readonly NimEndpoint[] = [userOnlineStatus];
