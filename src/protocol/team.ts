/**
 * Advanced teams (NIM 高级群) on the wire, shared by the server and the SDK: the team as its
 * members see it, the mode enums, the notification ops, and the bus subject a team's messages go
 * on. A team's conversation id is `team:<tid>` (src/conversation/ref.ts).
 */

/** NIM's `joinmode`: 0 anyone may join, 1 a manager must approve, 2 nobody may apply. */
export const JoinMode = { FREE: 0, APPROVAL: 1, CLOSED: 2 } as const;
export type JoinMode = (typeof JoinMode)[keyof typeof JoinMode];

/** NIM's `muteType`: 0 nobody muted, 1 normal members muted, 3 everyone muted (owner included). */
export type TeamMuteType = 0 | 1 | 3;

/**
 * Team notification ops (NIM attach `id`, reference §5.3): a notification is a type 5 message in
 * the team's journal whose body is `{id, data}`, so devices learn of changes in order with messages.
 */
export const TeamOps = {
  INVITE: 0,
  KICK: 1,
  LEAVE: 2,
  UPDATE: 3,
  DISMISS: 4,
  APPLY_PASS: 5,
  OWNER_TRANSFER: 6,
  ADD_MANAGER: 7,
  REMOVE_MANAGER: 8,
  INVITE_ACCEPT: 9,
  MUTE_TLIST: 10,
} as const;
export type TeamOp = (typeof TeamOps)[keyof typeof TeamOps];

/** The notification message's body. */
export interface TeamNotificationBody {
  id: TeamOp;
  data: {
    tid: string;
    /** Who did it. */
    operator: string;
    /** Whom it concerns (invited, kicked, new managers, the new owner, the muted member). */
    ids?: string[];
    /** What changed (update), or the team after the change. */
    tinfo?: Partial<TeamInfo>;
    mute?: boolean;
    /** Text given with the change (NIM `attach`). */
    attach?: string;
  };
}

/** Settings of a team, as NIM names them. */
export interface TeamInfo {
  tid: string;
  tname: string;
  icon: string;
  announcement: string;
  intro: string;
  /** App custom field (NIM `custom`). */
  custom: string;
  owner: string;
  joinmode: JoinMode;
  /** 0 the invitee must agree, 1 no agreement needed. */
  beinvitemode: 0 | 1;
  /** 0 managers only, 1 everyone (likewise below). */
  invitemode: 0 | 1;
  uptinfomode: 0 | 1;
  upcustommode: 0 | 1;
  /** Member limit (NIM `maxusers` / `teamMemberLimit`). */
  maxusers: number;
  muteType: TeamMuteType;
  createtime: number;
  updatetime: number;
  /** False once dismissed. */
  valid: boolean;
}

export type TeamRole = "owner" | "manager" | "normal";

export interface TeamMember {
  accid: string;
  role: TeamRole;
  nick: string;
  custom: string;
  /** Muted by a manager (muteTlist). */
  mute: boolean;
  /** The member's own notification switch (muteTeam ope 1). */
  notifyOff: boolean;
  /** When they joined (ms). */
  createtime: number;
  updatetime: number;
}

/** The team and its members. */
export interface TeamView {
  info: TeamInfo;
  members: TeamMember[];
}

/** `team.<appKey>.<tid>`: one publish per team message, received by every node with a member online. */
export function teamSubject(appKey: string, tid: string): string {
  return `team.${appKey}.${tid}`;
}

/**
 * The user event (on the user's own subject) that tells their nodes' gateways, and their devices,
 * that they joined or left a team: gateways hold or release the team's subject on it.
 */
export const TEAM_MEMBERSHIP_EVENT = "teamMembership";
export interface TeamMembershipEvent {
  tid: string;
  member: boolean;
}

/** The team conversation's id. */
export function teamConversationId(tid: string): string {
  return `team:${tid}`;
}

/**
 * Team requests a device sends over the link (Colyseus request/response on the `im` room); the
 * one who acts is always the logged-in account. Team messages use the messaging requests with
 * `to` / `peer` = `team:<tid>`.
 */
export const TeamRequests = {
  /** {@link CreateTeamRequest} → `{tid}`. */
  CREATE: "team.create",
  /** `{tid, members, msg?}` → `{added, invited}`: invited ones must accept (beinvitemode 0). */
  INVITE: "team.invite",
  /** `{tid, members}` → null. */
  KICK: "team.kick",
  /** `{tid}` → null. */
  LEAVE: "team.leave",
  /** `{tid}` → null (owner only). */
  DISMISS: "team.dismiss",
  /** `{tid, ...settings}` → `TeamInfo`. */
  UPDATE: "team.update",
  /** `{tid}` → `TeamView` (members only). */
  GET: "team.get",
  /** `{}` → `TeamInfo[]`: this account's teams. */
  LIST: "team.list",
  /** `{tid, msg?}` → `{joined}`: joinmode 0 joins at once, 1 waits for a manager, 2 is refused (802). */
  APPLY: "team.apply",
  /** `{tid, accid, pass}` → `{joined}` (owner / managers). */
  ANSWER_APPLY: "team.answerApply",
  /** `{tid, accept}` → `{joined}`. */
  ANSWER_INVITE: "team.answerInvite",
  /** `{tid, members, add}` → null (owner only). */
  MANAGERS: "team.managers",
  /** `{tid, newOwner, leave}` → null (owner only). */
  CHANGE_OWNER: "team.changeOwner",
  /** `{tid, accid, mute}` → null. */
  MUTE_MEMBER: "team.muteMember",
  /** `{tid, muteType}` → null. */
  MUTE_ALL: "team.muteAll",
  /** `{tid, accid?, nick?, custom?}` → `TeamMember` (accid defaults to oneself). */
  UPDATE_MEMBER: "team.updateMember",
} as const;

export interface CreateTeamRequest {
  tname: string;
  /** Accounts to invite (not oneself): with beinvitemode 0 (the default) each must accept. */
  members: string[];
  joinmode?: JoinMode;
  beinvitemode?: 0 | 1;
  invitemode?: 0 | 1;
  uptinfomode?: 0 | 1;
  upcustommode?: 0 | 1;
  announcement?: string;
  intro?: string;
  custom?: string;
  icon?: string;
  msg?: string;
}

/** Pushes about pending invitations and applications (not stored; online devices only). */
export const TeamEvents = {
  /** To an invitee: {@link TeamInviteEvent}. Answer with `team.answerInvite`. */
  INVITE: "teamInvite",
  /** To the owner and managers: {@link TeamApplyEvent}. Answer with `team.answerApply`. */
  APPLY: "teamApply",
} as const;

export interface TeamInviteEvent {
  tid: string;
  from: string;
  msg: string;
}

export interface TeamApplyEvent {
  tid: string;
  accid: string;
  msg: string;
}
