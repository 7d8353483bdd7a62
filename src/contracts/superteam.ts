import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { TeamMuteType } from "../protocol/team.ts";
import type { SuperTeamInfo, SuperTeamMember } from "../protocol/superteam.ts";
import type { ConversationProtocol } from "./conversation.ts";
import type { UserTeamsProtocol } from "./user-teams.ts";
import type { SystemNotification } from "../protocol/messages.ts";

export type { SuperTeamInfo, SuperTeamMember };

/** What a super team is created with (checked by the super teams service). */
export type NewSuperTeam = Omit<SuperTeamInfo, "tid" | "owner" | "creator" | "size" | "muteType" | "createtime" | "updatetime" | "valid">;

/** Settings an update may change. */
export type SuperTeamChanges = Partial<
  Pick<
    SuperTeamInfo,
    | "tname"
    | "icon"
    | "announcement"
    | "intro"
    | "serverCustom"
    | "clientCustom"
    | "joinmode"
    | "beinvitemode"
    | "invitemode"
    | "uptinfomode"
    | "upcustommode"
  >
>;

/** One page of members (`getTlists`, `getMuteTlists`): by join time from `timetag`, ascending or not. */
export interface MemberPage {
  timetag: number;
  limit: number;
  /** true: oldest first from `timetag` (NIM reverse 1); false: newest first before it (2). */
  ascending: boolean;
  mutedOnly: boolean;
}

/**
 * The super team actor's protocol (`superteam/<appKey>/<tid>`): what every conversation takes, and
 * the super team's membership and settings. As for teams, `by` is who acts, the actor checks
 * permissions against its own state, and each change writes a notification (ops 401–411).
 */
export type SuperTeamProtocol = ConversationProtocol & {
  create: {
    request: { info: NewSuperTeam; owner: string; members: string[]; msg: string; retainDays: number };
    reply: { info: SuperTeamInfo; added: string[] };
  };
  invite: { request: { by: string; members: string[]; msg: string; retainDays: number }; reply: { added: string[] } };
  kick: { request: { by: string; members: string[]; retainDays: number }; reply: { removed: string[] } };
  dismiss: { request: { by: string; retainDays: number }; reply: { members: string[] } };
  update: { request: { by: string; changes: SuperTeamChanges; retainDays: number }; reply: SuperTeamInfo };
  changeLevel: { request: { by: string; tlevel: number; retainDays: number }; reply: SuperTeamInfo };
  get: { request: object; reply: SuperTeamInfo | null };
  changeOwner: { request: { by: string; newOwner: string; leave: boolean; retainDays: number }; reply: { left: boolean } };
  managers: { request: { by: string; members: string[]; add: boolean; retainDays: number }; reply: null };
  /** A member's own settings (nick, custom, notification switch), or by the owner/managers (`by`). */
  updateMember: {
    request: { by: string; accid: string; nick?: string; custom?: string; notifyOff?: boolean };
    reply: SuperTeamMember;
  };
  muteMembers: { request: { by: string; members: string[]; mute: boolean; retainDays: number }; reply: null };
  muteAll: { request: { by: string; muteType: TeamMuteType; retainDays: number }; reply: null };
  leave: { request: { accid: string; retainDays: number }; reply: null };
  /** A page of members (or muted members), by join time. */
  members: { request: MemberPage; reply: SuperTeamMember[] };
  /** Whether `accid` is a member: the member, or null. */
  member: { request: { accid: string }; reply: SuperTeamMember | null };
  notifyMembers: { request: { from: string; attach: string }; reply: SystemNotification };
  position: {
    request: { accid: string };
    reply: { lastSeq: number; readSeq: number; joinedAfterSeq: number; hiddenAtSeq?: number } | null;
  };
  hideSession: { request: { accid: string }; reply: boolean };
};

export type SuperTeamMessage = RequestOf<SuperTeamProtocol>;

export const SUPER_TEAM_KIND = "superteam";

export function superTeamAddress(appKey: string, tid: string): ActorRef<SuperTeamProtocol> {
  return actorRef<SuperTeamProtocol>(SUPER_TEAM_KIND, appKey, tid);
}

/** A member as one bucket keeps it: the wire member and their read positions. */
export interface StoredSuperTeamMember extends SuperTeamMember {
  readSeq: number;
  joinSeq: number;
  hiddenAtSeq?: number;
}

/**
 * A member as a bucket keeps and stores it (actors/superteam/member-record.ts): what is at its
 * default is left out. Buckets stored before kept full records (StoredSuperTeamMember); both read.
 */
export interface PackedSuperTeamMember {
  accid: string;
  /** Join time (ms). */
  createtime: number;
  joinSeq: number;
  /** Absent: "" (the creator, or who applied). */
  invitor?: string;
  /** Absent: normal. */
  role?: "owner" | "manager";
  /** Absent: joinSeq (has read nothing since joining). */
  readSeq?: number;
  /** Absent: createtime. */
  updatetime?: number;
  nick?: string;
  custom?: string;
  mute?: true;
  notifyOff?: true;
  hiddenAtSeq?: number;
}

/**
 * One bucket of a super team's members (`superteammembers/<appKey>/<tid>-<n>`): the members whose
 * accid hashes to bucket n. Only the super team actor talks to it. A join or a mute rewrites one
 * bucket (a 64th of the list), never the whole list; activating the super team loads no bucket,
 * and a bucket only when one of its members acts.
 */
export type SuperTeamBucketProtocol = {
  load: { request: object; reply: PackedSuperTeamMember[] };
  /** Saves these members (new or changed) and drops `remove`; answers once stored. */
  write: { request: { put: PackedSuperTeamMember[]; remove: string[] }; reply: null };
  /** Drops every member (dismiss). */
  clear: { request: object; reply: null };
};

export type SuperTeamBucketMessage = RequestOf<SuperTeamBucketProtocol>;

export const SUPER_TEAM_BUCKET_KIND = "superteammembers";

/** Buckets per super team: at 10,000 members about 160 per bucket. */
export const SUPER_TEAM_BUCKETS = 64;

export function superTeamBucketAddress(appKey: string, tid: string, bucket: number): ActorRef<SuperTeamBucketProtocol> {
  return actorRef<SuperTeamBucketProtocol>(SUPER_TEAM_BUCKET_KIND, appKey, `${tid}-${bucket}`);
}

/** Which bucket an accid is kept in (FNV-1a over its UTF-16 units). */
export function superTeamBucketOf(accid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < accid.length; i++) {
    h ^= accid.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SUPER_TEAM_BUCKETS;
}

/** Each user's index of super teams: the same actor and protocol as their team index (user-teams.ts). */
export const USER_SUPER_TEAMS_KIND = "usersuperteams";

export function userSuperTeamsAddress(appKey: string, accid: string): ActorRef<UserTeamsProtocol> {
  return actorRef<UserTeamsProtocol>(USER_SUPER_TEAMS_KIND, appKey, accid);
}
