import { z } from "zod";
import type { SuperTeamInfo, SuperTeamMember } from "../../protocol/superteam.ts";
import { jsonArray } from "./params.ts";

/**
 * Parameters and answers of NIM's `superteam/*` family (reference §3.8; NIM's official server
 * SDKs where they differ): per-call limits and the super team and member objects.
 */

/** At most 200 accounts per create / invite / kick call. */
export const SUPER_MEMBERS_PER_CALL = 200;
/** At most 10 per addManager / removeManager / muteTlist call (SDKs). */
export const SUPER_TEN_PER_CALL = 10;
/** At most 20 tids per getTinfos call. */
export const SUPER_TIDS_PER_CALL = 20;
/** getTlists / getMuteTlists pages hold at most 2,000 (SDKs; the reference says 100). */
export const SUPER_PAGE_MAX = 2000;

/** `tids`: a JSON array of tids as strings (Java SDK) or numbers (Go SDK). */
export function tidList() {
  return jsonArray(
    z.union([z.string(), z.number()]).transform((v, ctx) => {
      const s = String(v);
      if (!/^[1-9]\d{0,15}$/.test(s) || !Number.isSafeInteger(Number(s))) {
        ctx.addIssue({ code: "custom", message: "not a team id" });
        return z.NEVER;
      }
      return s;
    }),
    SUPER_TIDS_PER_CALL,
  );
}

/** A super team as getTinfos and joinTeams show it. */
export function nimSuperTeam(i: SuperTeamInfo): Record<string, unknown> {
  return {
    tid: Number(i.tid),
    tname: i.tname,
    creator: i.creator,
    owner: i.owner,
    tlevel: i.tlevel,
    size: i.size,
    intro: i.intro,
    announcement: i.announcement,
    clientCustom: i.clientCustom,
    serverCustom: i.serverCustom,
    icon: i.icon,
    muteType: i.muteType,
    joinmode: i.joinmode,
    beinvitemode: i.beinvitemode,
    invitemode: i.invitemode,
    uptinfomode: i.uptinfomode,
    upcustommode: i.upcustommode,
    createtime: i.createtime,
    updatetime: i.updatetime,
  };
}

/** A member as getTlists / getMuteTlists show it (`type` 0 member, 1 owner, 2 manager). */
export function nimSuperMember(m: SuperTeamMember, tid: string): Record<string, unknown> {
  return {
    tid: Number(tid),
    accid: m.accid,
    type: m.role === "owner" ? 1 : m.role === "manager" ? 2 : 0,
    nick: m.nick,
    custom: m.custom,
    mute: m.mute ? 1 : 0,
    silentType: m.notifyOff ? 1 : 0,
    invitor: m.invitor,
    jointime: m.createtime,
    createtime: m.createtime,
    updatetime: m.updatetime,
  };
}
