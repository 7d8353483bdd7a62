import { z } from "zod";
import type { TeamInfo, TeamMember, TeamView } from "../../protocol/team.ts";
import { text, intEnum } from "./params.ts";

/**
 * Parameters and answers of NIM's `team/*` family (reference §3.7): tids, the mode enums, and the
 * team and member objects as NIM's query answers show them.
 */

/** NIM: at most 200 accounts per call that lists members. */
export const MEMBERS_PER_CALL = 200;
/** NIM: at most 10 managers per addManager / removeManager call. */
export const MANAGERS_PER_CALL = 10;

/** A tid: a positive decimal integer (kept as its string). */
export function tid() {
  return z
    .string({ error: "required" })
    .regex(/^[1-9]\d{0,15}$/, "must be a team id (a positive integer)")
    .refine((s) => Number.isSafeInteger(Number(s)), "must be a team id (a positive integer)")
    .meta({ description: "team id" });
}

/** The mode fields a create or update may set. */
export const modeParams = {
  joinmode: intEnum([0, 1, 2]),
  beinvitemode: intEnum([0, 1]),
  invitemode: intEnum([0, 1]),
  uptinfomode: intEnum([0, 1]),
  upcustommode: intEnum([0, 1]),
};

/** Team settings texts, NIM's limits. */
export const infoParams = {
  tname: text(64),
  announcement: text(1024),
  intro: text(512),
  custom: text(1024),
  icon: text(1024),
};

/** A team as `team/query` and `team/joinTeams` show it. */
export function nimTeam(v: TeamView, withMembers: boolean): Record<string, unknown> {
  const i = v.info;
  const out: Record<string, unknown> = {
    ...settings(i),
    owner: i.owner,
    size: v.members.length,
  };
  if (withMembers) {
    out.admins = v.members.filter((m) => m.role === "manager").map((m) => m.accid);
    out.members = v.members.filter((m) => m.role === "normal").map((m) => m.accid);
  }
  return out;
}

/** A team as `team/queryDetail` shows it: the owner, managers and members as member objects. */
export function nimTeamDetail(v: TeamView): Record<string, unknown> {
  const owner = v.members.find((m) => m.role === "owner");
  return {
    ...settings(v.info),
    size: v.members.length,
    owner: owner ? nimMember(owner, v.info.tid) : null,
    admins: v.members.filter((m) => m.role === "manager").map((m) => nimMember(m, v.info.tid)),
    members: v.members.filter((m) => m.role === "normal").map((m) => nimMember(m, v.info.tid)),
  };
}

function settings(i: TeamInfo): Record<string, unknown> {
  return {
    tid: Number(i.tid),
    tname: i.tname,
    icon: i.icon,
    announcement: i.announcement,
    intro: i.intro,
    custom: i.custom,
    maxusers: i.maxusers,
    joinmode: i.joinmode,
    beinvitemode: i.beinvitemode,
    invitemode: i.invitemode,
    uptinfomode: i.uptinfomode,
    upcustommode: i.upcustommode,
    muteType: i.muteType,
    mute: i.muteType !== 0,
    createtime: i.createtime,
    updatetime: i.updatetime,
  };
}

export function nimMember(m: TeamMember, tid: string): Record<string, unknown> {
  return {
    tid: Number(tid),
    accid: m.accid,
    nick: m.nick,
    custom: m.custom,
    mute: m.mute,
    pushEnable: !m.notifyOff,
    type: m.role === "owner" ? 1 : m.role === "manager" ? 2 : 0,
    createtime: m.createtime,
    updatetime: m.updatetime,
  };
}

/** NIM's `faccid` when some accounts failed. */
export function faccidOf(f: { accid: string[]; msg: string } | undefined): Record<string, unknown> {
  return f ? { faccid: { accid: f.accid, msg: f.msg } } : {};
}
