import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { SystemNotification } from "../protocol/messages.ts";

/**
 * The team notices actor's messages (`teamnotices/<appKey>/<tid>`): a team's stored custom system
 * notifications (NIM `msg/sendAttachMsg` msgtype 1 with save 2), numbered 1, 2, 3… in the team's
 * own notices journal conversation — the actor's address — once for the whole team, never once
 * per member. Members' devices that were offline read them at login after their cursor for the team.
 */
export type TeamNoticesProtocol = {
  /** `from` must be a member of a team that exists (804, 803); `retainDays`: how long it is kept. */
  notify: { request: { from: string; attach: string; retainDays: number }; reply: SystemNotification };
};

export type TeamNoticesMessage = RequestOf<TeamNoticesProtocol>;

/** What a stored team notification keeps in `JournalEntry.payload`. */
export interface TeamNoticePayload {
  tid: string;
  attach: string;
  /**
   * The team's last stored message seq when it was sent, read in the team actor's turn that found
   * the sender a member. Every join writes a notification, so a member whose join seq (the team's
   * seq before their join) is below this joined before it: only they are handed it at login.
   * Absent in notices stored before it was kept: handed to every member then.
   */
  teamSeq?: number;
}

/** Whether a member whose join seq is `joinedAfterSeq` was a member when the notice was sent. */
export function noticeIsFor(p: TeamNoticePayload, joinedAfterSeq: number): boolean {
  return p.teamSeq === undefined || p.teamSeq > joinedAfterSeq;
}

/** NIM message type 5, "notification", as for a member's own notices. */
export const TEAM_NOTICE_ENTRY_TYPE = 5;

export const TEAM_NOTICES_KIND = "teamnotices";

export function teamNoticesAddress(appKey: string, tid: string): ActorRef<TeamNoticesProtocol> {
  return actorRef<TeamNoticesProtocol>(TEAM_NOTICES_KIND, appKey, tid);
}
