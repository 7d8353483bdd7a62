import { z } from "zod";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { millis } from "./msg-params.ts";
import { accid, int, intEnum, text } from "./params.ts";
import { tid } from "./team-params.ts";
import { nimSuperMember, nimSuperTeam, SUPER_PAGE_MAX, tidList } from "./superteam-params.ts";

/** Super team reads and member settings (NIM `superteam/*`, reference §3.8). */

const mod = "superteam";

const getTinfos = endpoint({
  module: mod,
  action: "getTinfos",
  summary: "Super teams by tid (≤ 20, as strings or numbers); those that do not exist are left out",
  params: z.object({ tids: tidList() }),
  async handler(ctx, p) {
    const infos = await ctx.superTeams.getMany(ctx.app.appKey, p.tids);
    return { tinfos: infos.map(nimSuperTeam) };
  },
});

const pageParams = {
  tid: tid(),
  timetag: millis().optional(),
  limit: int(1, SUPER_PAGE_MAX),
  reverse: intEnum([1, 2]).optional(),
};

function pageAction(action: "getTlists" | "getMuteTlists", key: "tlists" | "muteTlists", mutedOnly: boolean) {
  return endpoint({
    module: mod,
    action,
    summary: `${mutedOnly ? "Muted members" : "Members"} by join time: reverse 1 oldest first after timetag, 2 (default) newest first before it (0: from the newest); limit ≤ ${SUPER_PAGE_MAX}`,
    params: z.object(pageParams),
    async handler(ctx, p) {
      const members = await ctx.superTeams.members(ctx.app.appKey, p.tid, {
        timetag: p.timetag ?? 0,
        limit: p.limit,
        ascending: p.reverse === 1,
        mutedOnly,
      });
      return { [key]: members.map((m) => nimSuperMember(m, p.tid)) };
    },
  });
}

const joinTeams = endpoint({
  module: mod,
  action: "joinTeams",
  summary: "The super teams `accid` is in",
  params: z.object({ accid: accid() }),
  async handler(ctx, p) {
    const infos = await ctx.superTeams.joined(ctx.app.appKey, p.accid);
    return { tinfos: infos.map(nimSuperTeam) };
  },
});

const updateTlist = endpoint({
  module: mod,
  action: "updateTlist",
  summary: "A member's own settings: nick (≤ 32), custom (≤ 32), silentType 1 notifications off / 0 on",
  params: z.object({
    tid: tid(),
    accid: accid(),
    nick: text(32).optional(),
    custom: text(32).optional(),
    silentType: intEnum([0, 1]).optional(),
  }),
  async handler(ctx, p) {
    await ctx.superTeams.updateMember(ctx.app.appKey, {
      tid: p.tid,
      by: p.accid,
      accid: p.accid,
      ...(p.nick !== undefined && { nick: p.nick }),
      ...(p.custom !== undefined && { custom: p.custom }),
      ...(p.silentType !== undefined && { notifyOff: p.silentType === 1 }),
    });
    return {};
  },
});

const updateTeamNick = endpoint({
  module: mod,
  action: "updateTeamNick",
  summary: "Set member `accid`'s super team nick, by the owner (any member) or a manager (normal members)",
  params: z.object({ tid: tid(), owner: accid(), accid: accid(), nick: text(32) }),
  async handler(ctx, p) {
    await ctx.superTeams.updateMember(ctx.app.appKey, { tid: p.tid, by: p.owner, accid: p.accid, nick: p.nick });
    return {};
  },
});

export const superTeamQueryEndpoints: readonly NimEndpoint[] = [
  getTinfos,
  pageAction("getTlists", "tlists", false),
  pageAction("getMuteTlists", "muteTlists", true),
  joinTeams,
  updateTlist,
  updateTeamNick,
];
