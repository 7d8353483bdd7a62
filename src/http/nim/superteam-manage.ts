import { z } from "zod";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accidList } from "./msg-params.ts";
import { accid, int, intEnum, requiredText, text } from "./params.ts";
import { infoParams, modeParams, tid } from "./team-params.ts";
import { SUPER_MEMBERS_PER_CALL, SUPER_TEN_PER_CALL } from "./superteam-params.ts";
import { SUPER_TEAM_LEVEL_MAX } from "../../protocol/superteam.ts";
import type { SuperTeamChanges } from "../../contracts/superteam.ts";
import type { JoinMode } from "../../protocol/team.ts";

/** Super team membership and settings (NIM `superteam/*`, reference §3.8). Each answers `{code:200}` unless noted. */

const mod = "superteam";

const faccid = (f: { accid: string[]; msg: string } | undefined) => (f ? { faccid: { accid: f.accid, msg: f.msg } } : {});

const create = endpoint({
  module: mod,
  action: "create",
  summary:
    "Create a super team owned by `owner` with `inviteAccids` (with the owner ≤ 200); answers its tid and the accounts left out (faccid)",
  params: z.object({
    owner: accid(),
    inviteAccids: accidList(SUPER_MEMBERS_PER_CALL),
    tname: requiredText(64),
    intro: infoParams.intro.optional(),
    announcement: infoParams.announcement.optional(),
    serverCustom: text(1024).optional(),
    icon: infoParams.icon.optional(),
    msg: text(150),
    magree: intEnum([0, 1]).optional(),
    joinmode: modeParams.joinmode,
    beinvitemode: modeParams.beinvitemode.optional(),
    invitemode: modeParams.invitemode.optional(),
    uptinfomode: modeParams.uptinfomode.optional(),
    upcustommode: modeParams.upcustommode.optional(),
    tlevel: int(2, SUPER_TEAM_LEVEL_MAX).optional(),
    bid: text(64).optional(),
  }),
  async handler(ctx, p) {
    const r = await ctx.superTeams.create(ctx.app.appKey, {
      owner: p.owner,
      members: p.inviteAccids,
      msg: p.msg,
      info: {
        tname: p.tname,
        icon: p.icon ?? "",
        announcement: p.announcement ?? "",
        intro: p.intro ?? "",
        clientCustom: "",
        serverCustom: p.serverCustom ?? "",
        joinmode: p.joinmode as JoinMode,
        beinvitemode: (p.beinvitemode ?? 0) as 0 | 1,
        invitemode: (p.invitemode ?? 0) as 0 | 1,
        uptinfomode: (p.uptinfomode ?? 0) as 0 | 1,
        upcustommode: (p.upcustommode ?? 0) as 0 | 1,
        ...(p.tlevel !== undefined && { tlevel: p.tlevel }),
      },
    });
    return { tid: Number(r.tid), ...faccid(r.faccid) };
  },
});

const dismiss = endpoint({
  module: mod,
  action: "dismiss",
  summary: "Dismiss the super team (owner only)",
  params: z.object({ tid: tid(), owner: accid() }),
  async handler(ctx, p) {
    await ctx.superTeams.dismiss(ctx.app.appKey, { tid: p.tid, by: p.owner });
    return {};
  },
});

const invite = endpoint({
  module: mod,
  action: "invite",
  summary: "Add `inviteAccids` (≤ 200), by the owner or a manager (invitemode 1: any member), within tlevel; answers those left out",
  params: z.object({
    tid: tid(),
    owner: accid(),
    inviteAccids: accidList(SUPER_MEMBERS_PER_CALL),
    msg: text(150),
    magree: intEnum([0, 1]).optional(),
    extension: text(512).optional(),
  }),
  async handler(ctx, p) {
    const r = await ctx.superTeams.invite(ctx.app.appKey, { tid: p.tid, by: p.owner, members: p.inviteAccids, msg: p.msg });
    return faccid(r.faccid);
  },
});

const kick = endpoint({
  module: mod,
  action: "kick",
  summary: "Remove `kickAccids` (≤ 10), by the owner or a manager (managers: normal members only)",
  params: z.object({ tid: tid(), owner: accid(), kickAccids: accidList(SUPER_TEN_PER_CALL), extension: text(512).optional() }),
  async handler(ctx, p) {
    await ctx.superTeams.kick(ctx.app.appKey, { tid: p.tid, by: p.owner, members: p.kickAccids });
    return {};
  },
});

const leave = endpoint({
  module: mod,
  action: "leave",
  summary: "Member `accid` leaves the super team (the owner may not)",
  params: z.object({ tid: tid(), accid: accid() }),
  async handler(ctx, p) {
    await ctx.superTeams.leave(ctx.app.appKey, { tid: p.tid, accid: p.accid });
    return {};
  },
});

const changeOwner = endpoint({
  module: mod,
  action: "changeOwner",
  summary: "Transfer the super team to member `accid`; `leave` 1 the old owner leaves, 2 stays as a member",
  params: z.object({ tid: tid(), owner: accid(), accid: accid(), leave: intEnum([1, 2]) }),
  async handler(ctx, p) {
    await ctx.superTeams.changeOwner(ctx.app.appKey, { tid: p.tid, by: p.owner, newOwner: p.accid, leave: p.leave === 1 });
    return {};
  },
});

function managerAction(action: "addManager" | "removeManager", add: boolean) {
  return endpoint({
    module: mod,
    action,
    summary: add
      ? "Make `managerAccids` (≤ 10) managers (owner only)"
      : "Make managers `managerAccids` (≤ 10) normal members again (owner only)",
    params: z.object({ tid: tid(), owner: accid(), managerAccids: accidList(SUPER_TEN_PER_CALL) }),
    async handler(ctx, p) {
      await ctx.superTeams.managers(ctx.app.appKey, { tid: p.tid, by: p.owner, members: p.managerAccids, add });
      return {};
    },
  });
}

const mute = endpoint({
  module: mod,
  action: "mute",
  summary: "Mute the super team: muteType 0 nobody, 1 normal members, 3 everyone (owner and managers too)",
  params: z.object({ tid: tid(), owner: accid(), muteType: intEnum([0, 1, 3]) }),
  async handler(ctx, p) {
    await ctx.superTeams.muteAll(ctx.app.appKey, { tid: p.tid, by: p.owner, muteType: p.muteType as 0 | 1 | 3 });
    return {};
  },
});

const muteTlist = endpoint({
  module: mod,
  action: "muteTlist",
  summary: "Mute (mute 1) or unmute (0) members `muteAccids` (≤ 10), by the owner or a manager",
  params: z.object({ tid: tid(), owner: accid(), muteAccids: accidList(SUPER_TEN_PER_CALL), mute: intEnum([0, 1]) }),
  async handler(ctx, p) {
    await ctx.superTeams.muteMembers(ctx.app.appKey, { tid: p.tid, by: p.owner, members: p.muteAccids, mute: p.mute === 1 });
    return {};
  },
});

const changeLevel = endpoint({
  module: mod,
  action: "changeLevel",
  summary: "Change the member limit `tlevel` (2..the app's maximum, ≥ the members now), owner only",
  params: z.object({ tid: tid(), owner: accid(), tlevel: int(2, SUPER_TEAM_LEVEL_MAX) }),
  async handler(ctx, p) {
    await ctx.superTeams.changeLevel(ctx.app.appKey, { tid: p.tid, by: p.owner, tlevel: p.tlevel });
    return {};
  },
});

const updateTinfo = endpoint({
  module: mod,
  action: "updateTinfo",
  summary: "Change the super team's settings, by the owner or a manager",
  params: z.object({
    tid: tid(),
    owner: accid(),
    tname: infoParams.tname.optional(),
    intro: infoParams.intro.optional(),
    announcement: infoParams.announcement.optional(),
    serverCustom: text(1024).optional(),
    icon: infoParams.icon.optional(),
    joinmode: modeParams.joinmode.optional(),
    beinvitemode: modeParams.beinvitemode.optional(),
    invitemode: modeParams.invitemode.optional(),
    uptinfomode: modeParams.uptinfomode.optional(),
    upcustommode: modeParams.upcustommode.optional(),
    bid: text(64).optional(),
  }),
  async handler(ctx, p) {
    const { tid: t, owner, bid: _b, ...rest } = p;
    const changes = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as SuperTeamChanges;
    await ctx.superTeams.update(ctx.app.appKey, { tid: t, by: owner, changes });
    return {};
  },
});

export const superTeamManageEndpoints: readonly NimEndpoint[] = [
  create,
  dismiss,
  invite,
  kick,
  leave,
  changeOwner,
  managerAction("addManager", true),
  managerAction("removeManager", false),
  mute,
  muteTlist,
  changeLevel,
  updateTinfo,
];
