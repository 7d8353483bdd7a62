import type { ConversationId, Message, ReadReceipt, RecallEvent, SendAck, SendInput } from "../src/protocol/messages.ts";

/**
 * The p2p conversation actor's messages (`session/<appKey>/<a>|<b>`, accids sorted). Plain data,
 * so they cross nodes as msgpack. The messaging service (src/messaging/p2p.ts) has checked the
 * input, the accounts and their relations before it asks.
 */
export type SessionMessage =
  /**
   * Answers `SendAck`. `retainDays`: how long the journal keeps the message (the service's choice
   * from the app's limits); `clientMsgId` is always set by then (generated when the edge had none).
   */
  | { t: "send"; input: SendInput & { clientMsgId: string }; retainDays: number }
  /**
   * Answers `RecallEvent`. `by`: the sender recalling their own message, or null for the app
   * server; `from` (app server only): who the caller says sent it. `maxAgeMs`: how old a
   * message may be (the recall window, or 30 days with ignoreTime): older is 508.
   */
  | { t: "recall"; by: string | null; from?: string; msgid: number; maxAgeMs: number }
  /** Hides one message from `accid`'s view only. Answers null. */
  | { t: "deleteOneWay"; accid: string; msgid: number }
  /** Answers `ReadReceipt` with the position actually recorded (never lower than before, never past the last message). */
  | { t: "markRead"; reader: string; seq: number }
  /** Answers `MessageRef | null`: find a message of this conversation by the sender's id for it. */
  | { t: "lookup"; clientMsgId: string }
  /** Answers `SessionInfo`. */
  | { t: "info" };

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

export function sessionAddress(appKey: string, conv: ConversationId): string {
  return `${SESSION_KIND}/${appKey}/${conv}`;
}
