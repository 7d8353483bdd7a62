import { z } from "zod";
import { NimbusError } from "../../protocol/errors.ts";
import type { TeamMuteType } from "../../protocol/team.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accidList } from "./msg-params.ts";
import { accid, bool, intEnum, text } from "./params.ts";
import { MEMBERS_PER_CALL, nimMember, tid } from "./team-params.ts";

/** Per-member settings and mutes (NIM `team/*`, reference §3.7). */

const updateTeamNick = endpoint({
  module: "team",
  action: "updateTeamNick",
  summary: "Set `accid`'s team nick and custom field, as `owner` (the owner, a manager for normal members, or `accid` themself)",
  params: z.object({ tid: tid(), owner: accid(), accid: accid(), nick: text(32).optional(), custom: text(1024).optional() }),
  async handler(ctx, p) {
    if (p.nick === undefined && p.custom === undefined)
      throw new NimbusError("PARAM_ERROR", "nick: nothing to change (give nick or custom)");
    await ctx.teams.updateMember(ctx.app.appKey, {
      tid: p.tid,
      by: p.owner,
      accid: p.accid,
      ...(p.nick !== undefined && { nick: p.nick }),
      ...(p.custom !== undefined && { custom: p.custom }),
      byServer: true,
    });
    return {};
  },
});

const muteTeam = endpoint({
  module: "team",
  action: "muteTeam",
  summary: "`accid`'s own notification switch for the team: ope 1 mutes its notifications, 2 resumes them",
  params: z.object({ tid: tid(), accid: accid(), ope: intEnum([1, 2]) }),
  async handler(ctx, p) {
    await ctx.teams.setNotify(ctx.app.appKey, { tid: p.tid, accid: p.accid, off: p.ope === 1 });
    return {};
  },
});

const muteTlist = endpoint({
  module: "team",
  action: "muteTlist",
  summary: "Mute (1) or unmute (0) one member, by the owner or a manager (managers: normal members only)",
  params: z.object({ tid: tid(), owner: accid(), accid: accid(), mute: intEnum([0, 1]), attach: text(512).optional() }),
  async handler(ctx, p) {
    await ctx.teams.muteMember(ctx.app.appKey, {
      tid: p.tid,
      by: p.owner,
      accid: p.accid,
      mute: p.mute === 1,
      ...(p.attach !== undefined && { attach: p.attach }),
    });
    return {};
  },
});

const muteTlistAll = endpoint({
  module: "team",
  action: "muteTlistAll",
  summary: "Mute the whole team: mute true/false, or muteType 0 off / 1 normal members / 3 everyone (mute wins)",
  params: z.object({
    tid: tid(),
    owner: accid(),
    mute: bool().optional(),
    muteType: intEnum([0, 1, 3]).optional(),
    attach: text(512).optional(),
  }),
  async handler(ctx, p) {
    const muteType: TeamMuteType | undefined = p.mute !== undefined ? (p.mute ? 1 : 0) : (p.muteType as TeamMuteType | undefined);
    if (muteType === undefined) throw new NimbusError("PARAM_ERROR", "mute: required (or muteType)");
    await ctx.teams.muteAll(ctx.app.appKey, { tid: p.tid, by: p.owner, muteType, ...(p.attach !== undefined && { attach: p.attach }) });
    return {};
  },
});

const listTeamMute = endpoint({
  module: "team",
  action: "listTeamMute",
  summary: "The muted members of the team, as `owner` (any member) sees them",
  params: z.object({ tid: tid(), owner: accid() }),
  async handler(ctx, p) {
    const view = await ctx.teams.get(ctx.app.appKey, p.tid);
    if (!view.members.some((m) => m.accid === p.owner))
      throw new NimbusError("TEAM_NOT_MEMBER", `owner: ${p.owner} is not a member of team ${p.tid}`);
    const mutes = view.members.filter((m) => m.mute).map((m) => ({ accid: m.accid, nick: m.nick, tid: Number(p.tid), type: 1 }));
    return { mutes };
  },
});

const listMemberInfo = endpoint({
  module: "team",
  action: "listMemberInfo",
  summary: "Members' team settings (nick, custom, mute, notification switch, role, join time) for up to 200 accounts",
  params: z.object({ tid: tid(), accids: accidList(MEMBERS_PER_CALL) }),
  async handler(ctx, p) {
    const view = await ctx.teams.get(ctx.app.appKey, p.tid);
    const wanted = new Set(p.accids);
    return { data: view.members.filter((m) => wanted.has(m.accid)).map((m) => nimMember(m, p.tid)) };
  },
});

export const teamMemberEndpoints: readonly NimEndpoint[] = [
  updateTeamNick,
  muteTeam,
  muteTlist,
  muteTlistAll,
  listTeamMute,
  listMemberInfo,
];
