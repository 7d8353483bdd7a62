import type { ConversationId, Message } from "../src/protocol/messages.ts";

/**
 * The inbox actor's messages (`inbox/<appKey>/<accid>`): one user's conversation list. Session
 * actors `tell` it what happened (never `ask`, so a session never waits on an inbox); the
 * messaging service asks it for the list and records read positions through the session.
 */
export type InboxMessage =
  /** A message was stored in `conv` (tell). Idempotent: a seq it has already seen changes nothing. */
  | { t: "bump"; conv: ConversationId; message: Message }
  /**
   * A stored message changed for this user (tell): recalled, or hidden from them. `message` is how
   * it shows now; `uncount`: it was counted unread before and is not any more.
   */
  | { t: "changed"; conv: ConversationId; message: Message; uncount: boolean }
  /** This user read `conv` up to `seq` (ask; answers `ConversationSummary`), saved before the answer. */
  | { t: "read"; conv: ConversationId; seq: number }
  /** The peer read `conv` up to `seq` (tell): shown as `peerReadSeq`. */
  | { t: "peerRead"; conv: ConversationId; seq: number }
  /** Answers `ConversationSummary[]`, most recently updated first. `all`: also conversations with no listed message yet. */
  | { t: "list"; limit?: number; updatedSince?: number; all?: boolean };

export const INBOX_KIND = "inbox";

export function inboxAddress(appKey: string, accid: string): string {
  return `${INBOX_KIND}/${appKey}/${accid}`;
}
