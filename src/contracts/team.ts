import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { TeamInfo, TeamMember, TeamMuteType, TeamView } from "../protocol/team.ts";
import type { ConversationProtocol } from "./conversation.ts";
import type { SystemNotification } from "../protocol/messages.ts";

export type { TeamInfo, TeamMember, TeamView };

/** What a team is created with (checked by the teams service). */
export type NewTeam = Omit<TeamInfo, "tid" | "owner" | "muteType" | "createtime" | "updatetime" | "valid">;

/** Settings an update may change. */
export type TeamChanges = Partial<
  Pick<
    TeamInfo,
    | "tname"
    | "icon"
    | "announcement"
    | "intro"
    | "custom"
    | "joinmode"
    | "beinvitemode"
    | "invitemode"
    | "uptinfomode"
    | "upcustommode"
    | "maxusers"
  >
>;

/**
 * The team actor's protocol (`team/<appKey>/<tid>`): what every conversation takes, and the
 * team's membership and settings. `by` is who acts (the app server acts as the `owner` it names);
 * the actor checks the permissions (owner, managers, the mode fields) against its own state, so a
 * check and its change are one turn. `retainDays` is how long the notification it writes is kept.
 * Every change that succeeds writes a notification message (type 5) to the team's journal.
 */
export type TeamProtocol = ConversationProtocol & {
  create: {
    request: { info: NewTeam; owner: string; members: string[]; magree: boolean; msg: string; retainDays: number };
    reply: { view: TeamView; invited: string[] };
  };
  /** Adds (no consent needed) or invites (consent needed) members. */
  invite: {
    request: { by: string; members: string[]; magree: boolean; msg: string; attach?: string; retainDays: number; byServer: boolean };
    reply: { added: string[]; invited: string[] };
  };
  kick: { request: { by: string; members: string[]; attach?: string; retainDays: number }; reply: { removed: string[] } };
  dismiss: { request: { by: string; attach?: string; retainDays: number }; reply: { members: string[] } };
  update: { request: { by: string; changes: TeamChanges; attach?: string; retainDays: number; byServer: boolean }; reply: TeamInfo };
  get: { request: object; reply: TeamView | null };
  changeOwner: { request: { by: string; newOwner: string; leave: boolean; attach?: string; retainDays: number }; reply: { left: boolean } };
  managers: { request: { by: string; members: string[]; add: boolean; attach?: string; retainDays: number }; reply: null };
  /** A member's team nick / custom: by themself, or by the owner/managers (byServer: the app server). */
  updateMember: { request: { by: string; accid: string; nick?: string; custom?: string; byServer: boolean }; reply: TeamMember };
  muteMember: { request: { by: string; accid: string; mute: boolean; attach?: string; retainDays: number }; reply: null };
  muteAll: { request: { by: string; muteType: TeamMuteType; attach?: string; retainDays: number }; reply: null };
  leave: { request: { accid: string; attach?: string; retainDays: number }; reply: null };
  /** The member's own notification switch (NIM muteTeam). */
  setNotify: { request: { accid: string; off: boolean }; reply: null };
  /** A non-member asks to join (joinmode): 0 joins at once, 1 waits for a manager, 2 is refused. */
  apply: { request: { accid: string; msg: string; retainDays: number }; reply: { joined: boolean } };
  /** A manager passes or rejects an application. */
  answerApply: { request: { by: string; accid: string; pass: boolean; retainDays: number }; reply: { joined: boolean } };
  /** An invitee accepts or rejects an invitation. */
  answerInvite: { request: { accid: string; accept: boolean; retainDays: number }; reply: { joined: boolean } };
  /** A custom notification from member `from` to the members' online devices (NIM sendAttachMsg msgtype 1): one publish, never stored. */
  notifyMembers: { request: { from: string; attach: string }; reply: SystemNotification };
  /** NIM markReadTeamMsg: `accid` has read up to the newest of these messages; answers the msgids not in this team. */
  markReadMsgids: { request: { accid: string; msgids: number[] }; reply: { errMsgIds: number[] } };
  /** Who has read message `msgid` (its seq ≤ their read position), sender left out. */
  readInfo: { request: { msgid: number; from: string }; reply: { readAccids: string[]; unreadAccids: string[] } };
  /** A member's read position and the team's last stored seq: the member's unread count is the difference. */
  position: {
    request: { accid: string };
    reply: { lastSeq: number; readSeq: number; joinedAfterSeq: number; hiddenAtSeq?: number } | null;
  };
  /**
   * NIM delRoamSession for a team: the team leaves `accid`'s conversation list until its next
   * message (the member's `hiddenAtSeq`); answers false when `accid` is not a member.
   */
  hideSession: { request: { accid: string }; reply: boolean };
};

export type TeamMessage = RequestOf<TeamProtocol>;

export const TEAM_KIND = "team";

/** The team's actor; its address is also the journal's conversation key. */
export function teamAddress(appKey: string, tid: string): ActorRef<TeamProtocol> {
  return actorRef<TeamProtocol>(TEAM_KIND, appKey, tid);
}
