import type { NewTeam, TeamChanges } from "../contracts/team.ts";
import type { SystemNotification } from "../protocol/messages.ts";
import type { TeamInfo, TeamMember, TeamMuteType, TeamView } from "../protocol/team.ts";

/** One refused account of a batch and why (NIM `faccid`). */
export interface FailedAccounts {
  accid: string[];
  msg: string;
}

/**
 * Advanced teams as the two edges use them. Every call names the app and who acts (`by`: the
 * app server passes the `owner` / `accid` it was given; a device passes its own account), checks
 * what the edge could not (accounts exist, per-person and per-team limits), asks the team actor —
 * which checks the permissions against its own state and writes the notification — and then keeps
 * each affected user's team index in step. A refusal is a NimbusError with NIM's code and changes
 * nothing.
 */
export interface TeamsService {
  create(
    appKey: string,
    req: { owner: string; members: string[]; info: Omit<NewTeam, "maxusers"> & { maxusers?: number }; magree: boolean; msg: string },
  ): Promise<{ tid: string; faccid?: FailedAccounts }>;
  invite(
    appKey: string,
    req: { tid: string; by: string; members: string[]; magree: boolean; msg: string; attach?: string; byServer: boolean },
  ): Promise<{ added: string[]; invited: string[]; faccid?: FailedAccounts }>;
  kick(appKey: string, req: { tid: string; by: string; members: string[]; attach?: string }): Promise<void>;
  dismiss(appKey: string, req: { tid: string; by: string; attach?: string }): Promise<void>;
  update(appKey: string, req: { tid: string; by: string; changes: TeamChanges; attach?: string; byServer: boolean }): Promise<TeamInfo>;
  /** The team with its members; 803 when there is none. */
  get(appKey: string, tid: string): Promise<TeamView>;
  /** Teams and their members, leaving out (ignoreInvalid) or refusing those that do not exist. */
  getMany(appKey: string, tids: string[], ignoreInvalid: boolean): Promise<TeamView[]>;
  changeOwner(appKey: string, req: { tid: string; by: string; newOwner: string; leave: boolean; attach?: string }): Promise<void>;
  managers(appKey: string, req: { tid: string; by: string; members: string[]; add: boolean; attach?: string }): Promise<void>;
  updateMember(
    appKey: string,
    req: { tid: string; by: string; accid: string; nick?: string; custom?: string; byServer: boolean },
  ): Promise<TeamMember>;
  muteMember(appKey: string, req: { tid: string; by: string; accid: string; mute: boolean; attach?: string }): Promise<void>;
  muteAll(appKey: string, req: { tid: string; by: string; muteType: TeamMuteType; attach?: string }): Promise<void>;
  leave(appKey: string, req: { tid: string; accid: string; attach?: string }): Promise<void>;
  setNotify(appKey: string, req: { tid: string; accid: string; off: boolean }): Promise<void>;
  apply(appKey: string, req: { tid: string; accid: string; msg: string }): Promise<{ joined: boolean }>;
  answerApply(appKey: string, req: { tid: string; by: string; accid: string; pass: boolean }): Promise<{ joined: boolean }>;
  answerInvite(appKey: string, req: { tid: string; accid: string; accept: boolean }): Promise<{ joined: boolean }>;
  /** The teams `accid` is in (valid ones), oldest joined first. */
  joined(appKey: string, accid: string): Promise<TeamView[]>;
  /** The tids `accid` is in, from their index. */
  tidsOf(appKey: string, accid: string): Promise<string[]>;
  /**
   * A custom notification from member `from` to the team's devices: online only, or with `save`
   * also stored once for the team, for members whose devices were offline (their login sync).
   */
  customNotify(appKey: string, req: { tid: string; from: string; attach: string; save?: boolean }): Promise<SystemNotification>;
  /** NIM markReadTeamMsg: `accid` read up to the newest of `msgids`; answers those not in the team. */
  markRead(appKey: string, req: { tid: string; accid: string; msgids: number[] }): Promise<{ errMsgIds: number[] }>;
  /** Read and unread members of one message (NIM getMarkReadInfo). */
  readInfo(appKey: string, req: { tid: string; msgid: number; from: string }): Promise<{ readAccids: string[]; unreadAccids: string[] }>;
}
