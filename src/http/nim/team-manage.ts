import { z } from "zod";
import { NimbusError } from "../../protocol/errors.ts";
import type { TeamChanges } from "../../contracts/team.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accidList } from "./msg-params.ts";
import { accid, int, intEnum, requiredText, text } from "./params.ts";
import { faccidOf, infoParams, MANAGERS_PER_CALL, MEMBERS_PER_CALL, modeParams, tid } from "./team-params.ts";
import { TEAM_MEMBERS_MAX } from "../../teams/mod.ts";

/** Team membership and settings changes (NIM `team/*`, reference §3.7). Each answers `{code:200}` unless noted. */

const create = endpoint({
  module: "team",
  action: "create",
  summary:
    "Create an advanced team owned by `owner` with `members` (owner not included); answers its tid and the accounts that could not join (faccid)",
  params: z.object({
    tname: requiredText(64),
    owner: accid(),
    members: accidList(MEMBERS_PER_CALL),
    announcement: infoParams.announcement.optional(),
    intro: infoParams.intro.optional(),
    msg: text(150),
    magree: intEnum([0, 1]),
    joinmode: modeParams.joinmode,
    custom: infoParams.custom.optional(),
    icon: infoParams.icon.optional(),
    beinvitemode: modeParams.beinvitemode.optional(),
    invitemode: modeParams.invitemode.optional(),
    uptinfomode: modeParams.uptinfomode.optional(),
    upcustommode: modeParams.upcustommode.optional(),
    teamMemberLimit: int(2, TEAM_MEMBERS_MAX).optional(),
    attach: text(512).optional(),
    bid: text(64).optional(),
    isNotifyCloseOnline: intEnum([0, 1]).optional(),
    isNotifyClosePersistent: intEnum([0, 1]).optional(),
  }),
  async handler(ctx, p) {
    const r = await ctx.teams.create(ctx.app.appKey, {
      owner: p.owner,
      members: p.members,
      magree: p.magree === 1,
      msg: p.msg,
      info: {
        tname: p.tname,
        icon: p.icon ?? "",
        announcement: p.announcement ?? "",
        intro: p.intro ?? "",
        custom: p.custom ?? "",
        joinmode: p.joinmode as 0 | 1 | 2,
        beinvitemode: (p.beinvitemode ?? 0) as 0 | 1,
        invitemode: (p.invitemode ?? 0) as 0 | 1,
        uptinfomode: (p.uptinfomode ?? 0) as 0 | 1,
        upcustommode: (p.upcustommode ?? 0) as 0 | 1,
        ...(p.teamMemberLimit !== undefined && { maxusers: p.teamMemberLimit }),
      },
    });
    return { tid: r.tid, ...faccidOf(r.faccid) };
  },
});

const add = endpoint({
  module: "team",
  action: "add",
  summary: "Add (magree 0) or invite (magree 1: each must accept) members, by `owner` or, with invitemode 1, any member",
  params: z.object({
    tid: tid(),
    owner: accid(),
    members: accidList(MEMBERS_PER_CALL),
    magree: intEnum([0, 1]),
    msg: text(150),
    attach: text(512).optional(),
  }),
  async handler(ctx, p) {
    const r = await ctx.teams.invite(ctx.app.appKey, {
      tid: p.tid,
      by: p.owner,
      members: p.members,
      magree: p.magree === 1,
      msg: p.msg,
      ...(p.attach !== undefined && { attach: p.attach }),
      byServer: true,
    });
    return faccidOf(r.faccid);
  },
});

const kick = endpoint({
  module: "team",
  action: "kick",
  summary: "Remove `member` (or `members`) from the team, by the owner or a manager (managers: normal members only)",
  params: z.object({
    tid: tid(),
    owner: accid(),
    member: accid().optional(),
    members: accidList(MEMBERS_PER_CALL).optional(),
    attach: text(512).optional(),
  }),
  async handler(ctx, p) {
    const members = p.member !== undefined ? [p.member] : p.members;
    if (!members) throw new NimbusError("PARAM_ERROR", "member: required (or members)");
    await ctx.teams.kick(ctx.app.appKey, { tid: p.tid, by: p.owner, members, ...(p.attach !== undefined && { attach: p.attach }) });
    return {};
  },
});

const remove = endpoint({
  module: "team",
  action: "remove",
  summary: "Dismiss the team (owner only): every member leaves it, and it refuses everything after",
  params: z.object({ tid: tid(), owner: accid(), attach: text(512).optional() }),
  async handler(ctx, p) {
    await ctx.teams.dismiss(ctx.app.appKey, { tid: p.tid, by: p.owner, ...(p.attach !== undefined && { attach: p.attach }) });
    return {};
  },
});

const update = endpoint({
  module: "team",
  action: "update",
  summary: "Change the team's settings as `owner` (uptinfomode / upcustommode 1 let any member change info / custom)",
  params: z.object({
    tid: tid(),
    owner: accid(),
    tname: infoParams.tname.optional(),
    announcement: infoParams.announcement.optional(),
    intro: infoParams.intro.optional(),
    custom: infoParams.custom.optional(),
    icon: infoParams.icon.optional(),
    joinmode: modeParams.joinmode.optional(),
    beinvitemode: modeParams.beinvitemode.optional(),
    invitemode: modeParams.invitemode.optional(),
    uptinfomode: modeParams.uptinfomode.optional(),
    upcustommode: modeParams.upcustommode.optional(),
    teamMemberLimit: int(2, TEAM_MEMBERS_MAX).optional(),
    attach: text(512).optional(),
    bid: text(64).optional(),
  }),
  async handler(ctx, p) {
    const changes: TeamChanges = {};
    if (p.tname !== undefined) changes.tname = p.tname;
    if (p.announcement !== undefined) changes.announcement = p.announcement;
    if (p.intro !== undefined) changes.intro = p.intro;
    if (p.custom !== undefined) changes.custom = p.custom;
    if (p.icon !== undefined) changes.icon = p.icon;
    if (p.joinmode !== undefined) changes.joinmode = p.joinmode as 0 | 1 | 2;
    if (p.beinvitemode !== undefined) changes.beinvitemode = p.beinvitemode as 0 | 1;
    if (p.invitemode !== undefined) changes.invitemode = p.invitemode as 0 | 1;
    if (p.uptinfomode !== undefined) changes.uptinfomode = p.uptinfomode as 0 | 1;
    if (p.upcustommode !== undefined) changes.upcustommode = p.upcustommode as 0 | 1;
    if (p.teamMemberLimit !== undefined) changes.maxusers = p.teamMemberLimit;
    if (Object.keys(changes).length === 0) throw new NimbusError("PARAM_ERROR", "tname: nothing to change (give at least one setting)");
    await ctx.teams.update(ctx.app.appKey, {
      tid: p.tid,
      by: p.owner,
      changes,
      ...(p.attach !== undefined && { attach: p.attach }),
      byServer: true,
    });
    return {};
  },
});

const changeOwner = endpoint({
  module: "team",
  action: "changeOwner",
  summary: "Transfer the team to `newowner` (a member); leave 1: the old owner leaves, 2: stays as a member",
  params: z.object({ tid: tid(), owner: accid(), newowner: accid(), leave: intEnum([1, 2]), attach: text(512).optional() }),
  async handler(ctx, p) {
    await ctx.teams.changeOwner(ctx.app.appKey, {
      tid: p.tid,
      by: p.owner,
      newOwner: p.newowner,
      leave: p.leave === 1,
      ...(p.attach !== undefined && { attach: p.attach }),
    });
    return {};
  },
});

function managersEndpoint(action: "addManager" | "removeManager") {
  const add = action === "addManager";
  return endpoint({
    module: "team",
    action,
    summary: add
      ? "Make up to 10 members managers (owner only; a team has at most 10)"
      : "Make up to 10 managers normal members again (owner only)",
    params: z.object({ tid: tid(), owner: accid(), members: accidList(MANAGERS_PER_CALL), attach: text(512).optional() }),
    async handler(ctx, p) {
      await ctx.teams.managers(ctx.app.appKey, {
        tid: p.tid,
        by: p.owner,
        members: p.members,
        add,
        ...(p.attach !== undefined && { attach: p.attach }),
      });
      return {};
    },
  });
}

const leave = endpoint({
  module: "team",
  action: "leave",
  summary: "`accid` leaves the team (not the owner: transfer or dismiss it first)",
  params: z.object({ tid: tid(), accid: accid(), attach: text(512).optional() }),
  async handler(ctx, p) {
    await ctx.teams.leave(ctx.app.appKey, { tid: p.tid, accid: p.accid, ...(p.attach !== undefined && { attach: p.attach }) });
    return {};
  },
});

export const teamManageEndpoints: readonly NimEndpoint[] = [
  create,
  add,
  kick,
  remove,
  update,
  changeOwner,
  managersEndpoint("addManager"),
  managersEndpoint("removeManager"),
  leave,
];
