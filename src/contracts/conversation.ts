import type { DeleteEvent, MessageInput, ReadReceipt, RecallEvent, SendAck } from "../protocol/messages.ts";

/**
 * What every conversation actor takes — the p2p session today, the team, super team and chat room
 * actors as they come — so the messaging service can send, recall, mark read and look up in any
 * conversation through one typed protocol, whatever its kind. Each kind's own protocol extends
 * this with what only it does (a p2p session's `info`, a team's membership).
 *
 * The messaging service has checked the input and the conversation's policy (relations for p2p;
 * membership and mutes for teams) before it asks.
 */
export type ConversationProtocol = {
  /**
   * `retainDays`: how long the journal keeps the message (the service's choice from the app's
   * limits); `clientMsgId` is always set by then (generated when the edge had none).
   */
  send: {
    /** `sync`: an outbox topic the append queues the message in for data sync (AppendEntry.outbox), when set. */
    request: { input: MessageInput & { clientMsgId: string }; retainDays: number; sync?: string };
    reply: SendAck;
  };
  /**
   * `by`: the sender recalling their own message, or null for the app server; `from` (app server
   * only): who the caller says sent it. `maxAgeMs`: how old a message may be (the recall window,
   * or 30 days with ignoreTime): older is 508.
   */
  recall: { request: { by: string | null; from?: string; msgid: number; maxAgeMs: number }; reply: RecallEvent };
  /**
   * Deletes one message for both sides (NIM msg/delMsg); `from`: who the caller says sent it.
   * Deleting twice is not an error.
   */
  delete: { request: { from: string; msgid: number }; reply: DeleteEvent };
  /** Hides one message from `accid`'s view only. */
  deleteOneWay: { request: { accid: string; msgid: number }; reply: null };
  /** Answers the position actually recorded (never lower than before, never past the last message). */
  markRead: { request: { reader: string; seq: number }; reply: ReadReceipt };
  /** Finds a message of this conversation by the sender's id for it. */
  lookup: { request: { clientMsgId: string }; reply: MessageRef | null };
};

/** Where a message stands in its conversation. */
export interface MessageRef {
  seq: number;
  msgid: number;
  from: string;
  time: number;
}
