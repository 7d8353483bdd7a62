import { z } from "zod";
import { mapLimit } from "../../util/map-limit.ts";
import { nimClientTypeNumber } from "../../protocol/client-type-number.ts";
import { endpoint, type NimContext, type NimEndpoint } from "./endpoint.ts";
import { msgid } from "./msg-params.ts";
import { accid, bool, intEnum, jsonArray } from "./params.ts";
import { nimTeam, nimTeamDetail, tid } from "./team-params.ts";

/** Reading teams (NIM `team/*`, reference §3.7). */

/** NIM publishes no cap for tids per query; bounded like the member lists. */
const TIDS_PER_CALL = 200;
/** Presence lookups of one request in flight at once. */
const PARALLEL = 16;

/** NIM's `tids`: a JSON array of tids, as strings or numbers. */
function tidList(max: number) {
  return jsonArray(
    z
      .union([z.string(), z.number()], { error: "must be a team id" })
      .transform((v) => String(v))
      .pipe(z.string().regex(/^[1-9]\d{0,15}$/, "must be a team id")),
    max,
  );
}
/** Each team's members are looked up in presence: fewer teams per call. */
const ONLINE_TIDS_PER_CALL = 20;

const query = endpoint({
  module: "team",
  action: "query",
  summary: "Teams by tid: settings, owner and size; ope 1 also lists admins and members",
  params: z.object({ tids: tidList(TIDS_PER_CALL), ope: intEnum([0, 1]), ignoreInvalid: bool().optional() }),
  async handler(ctx, p) {
    const views = await ctx.teams.getMany(ctx.app.appKey, [...new Set(p.tids)], p.ignoreInvalid === true);
    return { tinfos: views.map((v) => nimTeam(v, p.ope === 1)) };
  },
});

const queryDetail = endpoint({
  module: "team",
  action: "queryDetail",
  summary: "One team with the owner, managers and members as member objects (nick, mute, join time)",
  params: z.object({ tid: tid() }),
  async handler(ctx, p) {
    return { tinfo: nimTeamDetail(await ctx.teams.get(ctx.app.appKey, p.tid)) };
  },
});

const joinTeams = endpoint({
  module: "team",
  action: "joinTeams",
  summary: "The teams `accid` is in",
  params: z.object({ accid: accid() }),
  async handler(ctx, p) {
    const views = await ctx.teams.joined(ctx.app.appKey, p.accid);
    const infos = views.map((v) => {
      const t = nimTeam(v, false);
      return {
        tid: t.tid,
        tname: t.tname,
        icon: t.icon,
        owner: t.owner,
        maxusers: t.maxusers,
        size: t.size,
        custom: t.custom,
        joinmode: t.joinmode,
      };
    });
    return { count: infos.length, infos };
  },
});

const getMarkReadInfo = endpoint({
  module: "team",
  action: "getMarkReadInfo",
  summary: "How many members have read message msgid of fromAccid (their read position reached it); snapshot true also lists them",
  params: z.object({ tid: tid(), msgid: msgid(), fromAccid: accid(), snapshot: bool().optional() }),
  async handler(ctx, p) {
    const r = await ctx.teams.readInfo(ctx.app.appKey, { tid: p.tid, msgid: p.msgid, from: p.fromAccid });
    return {
      data: {
        readSize: r.readAccids.length,
        unreadSize: r.unreadAccids.length,
        ...(p.snapshot === true && { readAccids: r.readAccids, unreadAccids: r.unreadAccids }),
      },
    };
  },
});

/** Each account's online devices as NIM shows them: clientType as NIM's number, as user/userOnlineStatus does. */
async function onlineOf(
  ctx: NimContext,
  accids: readonly string[],
): Promise<{ accid: string; statusList: { loginTime: number; clientType: number }[] }[]> {
  const devices = await mapLimit([...accids], PARALLEL, (a) => ctx.presence.devicesOf(ctx.app.appKey, a));
  return accids.map((accid, i) => ({
    accid,
    statusList: devices[i]!.map((d) => ({ loginTime: d.loginTime, clientType: nimClientTypeNumber(d.clientType) })),
  }));
}

const listOnlineUsers = endpoint({
  module: "team",
  action: "listOnlineUsers",
  summary: "The team's members that are online now, with the client types of their devices",
  params: z.object({ tid: tid() }),
  async handler(ctx, p) {
    const view = await ctx.teams.get(ctx.app.appKey, p.tid);
    const online = (
      await onlineOf(
        ctx,
        view.members.map((m) => m.accid),
      )
    ).filter((o) => o.statusList.length > 0);
    // NIM's `status` is an object keyed by accid: NIM's Java and Go SDKs read it so (getJSONObject / a map).
    return { data: { count: online.length, status: Object.fromEntries(online.map((o) => [o.accid, o.statusList])) } };
  },
});

const listOnlineUserCount = endpoint({
  module: "team",
  action: "listOnlineUserCount",
  summary: "For each team, how many members are online and offline",
  params: z.object({ tids: tidList(ONLINE_TIDS_PER_CALL) }),
  async handler(ctx, p) {
    const tids = [...new Set(p.tids)];
    const views = await ctx.teams.getMany(ctx.app.appKey, tids, false);
    const data = [];
    for (const v of views) {
      const online = (
        await onlineOf(
          ctx,
          v.members.map((m) => m.accid),
        )
      ).filter((o) => o.statusList.length > 0).length;
      data.push({ tid: Number(v.info.tid), onlineUserCount: online, offlineUserCount: v.members.length - online });
    }
    return { data };
  },
});

export const teamQueryEndpoints: readonly NimEndpoint[] = [
  query,
  queryDetail,
  joinTeams,
  getMarkReadInfo,
  listOnlineUsers,
  listOnlineUserCount,
];
