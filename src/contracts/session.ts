import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { ConversationId, Message, ReadReceipt, RecallEvent, SendAck, SendInput } from "../protocol/messages.ts";

/**
 * The p2p conversation actor's messages (`session/<appKey>/<a>|<b>`, accids sorted). Plain data,
 * so they cross nodes as msgpack. The messaging service (src/messaging/p2p.ts) has checked the
 * input, the accounts and their relations before it asks.
 */
export type SessionProtocol = {
  /**
   * `retainDays`: how long the journal keeps the message (the service's choice from the app's
   * limits); `clientMsgId` is always set by then (generated when the edge had none).
   */
  send: { request: { input: SendInput & { clientMsgId: string }; retainDays: number }; reply: SendAck };
  /**
   * `by`: the sender recalling their own message, or null for the app server; `from` (app server
   * only): who the caller says sent it. `maxAgeMs`: how old a message may be (the recall window,
   * or 30 days with ignoreTime): older is 508.
   */
  recall: { request: { by: string | null; from?: string; msgid: number; maxAgeMs: number }; reply: RecallEvent };
  /** Hides one message from `accid`'s view only. */
  deleteOneWay: { request: { accid: string; msgid: number }; reply: null };
  /** Answers the position actually recorded (never lower than before, never past the last message). */
  markRead: { request: { reader: string; seq: number }; reply: ReadReceipt };
  /** Finds a message of this conversation by the sender's id for it. */
  lookup: { request: { clientMsgId: string }; reply: MessageRef | null };
  info: { request: object; reply: SessionInfo };
};

export type SessionMessage = RequestOf<SessionProtocol>;

export interface MessageRef {
  seq: number;
  msgid: number;
  from: string;
  time: number;
}

export interface SessionInfo {
  /** The two accids, sorted. */
  parties: [string, string];
  lastSeq: number;
  /** How far each side has read, in the order of `parties`. */
  read: [number, number];
}

export type { ConversationId, Message, ReadReceipt, RecallEvent, SendAck };

export const SESSION_KIND = "session";

/** The p2p conversation's actor; its address is also the journal's conversation key. */
export function sessionAddress(appKey: string, conv: ConversationId): ActorRef<SessionProtocol> {
  return actorRef<SessionProtocol>(SESSION_KIND, appKey, conv);
}
