import type { ConversationId, ConversationSummary, Message } from "../protocol/messages.ts";
import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";

/**
 * The inbox actor's messages (`inbox/<appKey>/<accid>`): one user's conversation list. Session
 * actors `tell` it what happened (never `ask`, so a session never waits on an inbox); the
 * messaging service asks it for the list and records read positions through the session.
 */
export type InboxProtocol = {
  /** A message was stored in `conv` (tell). Idempotent: a seq it has already seen changes nothing. */
  bump: { request: { conv: ConversationId; message: Message }; reply: null };
  /**
   * A stored message changed for this user (tell): recalled, or hidden from them. `message` is how
   * it shows now; `uncount`: it was counted unread before and is not any more.
   */
  changed: { request: { conv: ConversationId; message: Message; uncount: boolean }; reply: null };
  /** This user read `conv` up to `seq` (ask), saved before the answer. */
  read: { request: { conv: ConversationId; seq: number }; reply: ConversationSummary };
  /** The peer read `conv` up to `seq` (tell): shown as `peerReadSeq`. */
  peerRead: { request: { conv: ConversationId; seq: number }; reply: null };
  /**
   * Take `conv` off the list (NIM delRoamSession), saved before the answer: not listed, not roamed,
   * nothing unread, until its next message lists it again. The user's devices are told. True when
   * it was listed.
   */
  remove: { request: { conv: ConversationId }; reply: boolean };
  /** Most recently updated first. `all`: also conversations with no listed message yet. */
  list: { request: { limit?: number; updatedSince?: number; all?: boolean }; reply: ConversationSummary[] };
};

export type InboxMessage = RequestOf<InboxProtocol>;

export const INBOX_KIND = "inbox";

export function inboxAddress(appKey: string, accid: string): ActorRef<InboxProtocol> {
  return actorRef<InboxProtocol>(INBOX_KIND, appKey, accid);
}
