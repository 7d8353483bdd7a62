/**
 * Super teams (NIM 超大群) on the wire, shared by the server and the SDK: up to 10,000 members
 * (`tlevel`), the notification ops 401–411, the bus subject and the conversation id
 * (`superteam:<tid>`, src/conversation/ref.ts). Super team tids come from the same sequence as team
 * tids, so a tid names one group of either kind.
 */
import type { JoinMode, TeamMuteType, TeamRole } from "./team.ts";

/** Super team notification ops (NIM attach `id`, reference §5.3). */
export const SuperTeamOps = {
  INVITE: 401,
  KICK: 402,
  LEAVE: 403,
  UPDATE_TINFO: 404,
  DISMISS: 405,
  CHANGE_OWNER: 406,
  ADD_MANAGER: 407,
  REMOVE_MANAGER: 408,
  MUTE_TLIST: 409,
  APPLY_PASS: 410,
  INVITE_ACCEPT: 411,
} as const;
export type SuperTeamOp = (typeof SuperTeamOps)[keyof typeof SuperTeamOps];

/** NIM: a super team holds 2..10,000 members; 2,000 unless `tlevel` says otherwise. */
export const SUPER_TEAM_LEVEL_MAX = 10_000;
export const SUPER_TEAM_LEVEL_DEFAULT = 2_000;

/** Settings of a super team, as NIM names them. */
export interface SuperTeamInfo {
  tid: string;
  tname: string;
  icon: string;
  announcement: string;
  intro: string;
  /** Set by devices (NIM `clientCustom`). */
  clientCustom: string;
  /** Set by the app server only (NIM `serverCustom`). */
  serverCustom: string;
  owner: string;
  /** Who created it (NIM `creator`; stays when the owner changes). */
  creator: string;
  joinmode: JoinMode;
  beinvitemode: 0 | 1;
  invitemode: 0 | 1;
  uptinfomode: 0 | 1;
  upcustommode: 0 | 1;
  /** Member limit. */
  tlevel: number;
  /** Members now. */
  size: number;
  muteType: TeamMuteType;
  createtime: number;
  updatetime: number;
  valid: boolean;
}

export interface SuperTeamMember {
  accid: string;
  role: TeamRole;
  nick: string;
  custom: string;
  mute: boolean;
  /** The member's own notification switch (NIM `silentType` 1). */
  notifyOff: boolean;
  /** Who brought them in ("" for the creator and those who applied). */
  invitor: string;
  /** When they joined (ms): `getTlists` pages by it. */
  createtime: number;
  updatetime: number;
}

/** The notification message's body (a type 5 message in the super team's journal). */
export interface SuperTeamNotificationBody {
  id: SuperTeamOp;
  data: {
    tid: string;
    operator: string;
    ids?: string[];
    tinfo?: Partial<SuperTeamInfo>;
    mute?: boolean;
    attach?: string;
  };
}

/** `superteam.<appKey>.<tid>`: one publish per super team message. */
export function superTeamSubject(appKey: string, tid: string): string {
  return `superteam.${appKey}.${tid}`;
}

/** The super team conversation's id. */
export function superTeamConversationId(tid: string): string {
  return `superteam:${tid}`;
}

/** The user event telling a user's gateways and devices they joined or left a super team. */
export const SUPER_TEAM_MEMBERSHIP_EVENT = "superTeamMembership";
