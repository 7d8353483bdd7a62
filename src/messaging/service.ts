import type { MessageRef } from "../contracts/conversation.ts";
import type { ConversationRef } from "../conversation/ref.ts";
import type {
  ConversationSummary,
  DeleteEvent,
  HistoryRequest,
  Message,
  ReadReceipt,
  RecallEvent,
  MessageInput,
  SendAck,
  SyncRequest,
  SyncResult,
  SystemNotification,
} from "../protocol/messages.ts";

/**
 * A page of one conversation's history, by seq or by time (bounds inclusive), as one account sees
 * it: the wire's HistoryRequest (bounds, limit, order, types, excludeMsgid) with the conversation
 * named by reference and the reader named.
 */
export interface HistoryQuery extends Omit<HistoryRequest, "peer"> {
  /** Whose view: messages they deleted one-way are left out. */
  accid: string;
  conv: ConversationRef;
  /**
   * Leave recalled messages out (NIM's server API does: an app server would read a recalled message
   * as an empty one); devices keep them as markers, so their recall events have something to mark.
   */
  withoutRecalled?: boolean;
  /** false: the reader need not be a member now (NIM checkTeamValid=false); teams only. */
  checkMember?: boolean;
}

/**
 * Messaging as the two edges use it (REST handlers and the realtime gateway), keyed by
 * conversation: the edge names the conversation (a p2p pair today; teams, super teams and chat
 * rooms as their policies land) and the service applies that kind's policy (policy.ts). Each call
 * names the app, validates what the edge could not (accounts exist, relations allow it, windows),
 * and throws a NimbusError with NIM's code otherwise.
 */
export interface MessagingService {
  /** validate -> the kind's admission (p2p: blocked 422, muted 423, blacklisted 403) -> journal -> ack -> publish. */
  send(appKey: string, conv: ConversationRef, input: MessageInput): Promise<SendAck>;
  /**
   * Recall by the sender (`by` = accid; within the app's recall window) or by the app server
   * (`by` = null; `ignoreTime` allows up to 30 days). Past the window -> 508.
   */
  recall(
    appKey: string,
    conv: ConversationRef,
    req: { by: string | null; from: string; msgid: number; ignoreTime?: boolean; fromClientType?: string },
  ): Promise<RecallEvent>;
  /** Deletes one message of `from` for both sides (NIM delMsg); both sides' devices are told. */
  deleteMessage(appKey: string, conv: ConversationRef, req: { from: string; msgid: number }): Promise<DeleteEvent>;
  /**
   * Removes `conv` from `accid`'s conversation list (NIM delRoamSession): no longer listed nor
   * roamed to a new device, until its next message; `accid`'s devices are told. False when it was
   * not listed.
   */
  removeConversation(appKey: string, accid: string, conv: ConversationRef): Promise<boolean>;
  /** Hides one message from `accid`'s history only (NIM delMsgOneWay). */
  deleteOneWay(appKey: string, conv: ConversationRef, req: { accid: string; msgid: number }): Promise<void>;
  /** `reader` has read `conv` up to `seq`; the other side's devices get a receipt. */
  markRead(appKey: string, conv: ConversationRef, req: { reader: string; seq: number }): Promise<ReadReceipt>;
  /** The message `from` sent in `conv` with this clientMsgId, if stored. */
  lookup(appKey: string, conv: ConversationRef, req: { from: string; clientMsgId: string }): Promise<MessageRef | null>;
  history(appKey: string, query: HistoryQuery): Promise<Message[]>;
  /** The user's conversations, most recently updated first. */
  conversations(appKey: string, accid: string, opts?: { limit?: number; updatedSince?: number }): Promise<ConversationSummary[]>;
  /** Login sync within NIM's offline / roaming limits (the app's config). */
  sync(appKey: string, accid: string, req: SyncRequest): Promise<SyncResult>;
  /**
   * A client's custom notification (typing, "seen", a game move) to another account's online
   * devices: never stored, no seq; a recipient who blacklisted the sender silently gets nothing.
   */
  customNotify(appKey: string, req: { from: string; to: string; attach: string }): Promise<SystemNotification>;
  /** A system notification: `save` false = online devices only, never stored; true = kept for offline delivery. */
  notify(appKey: string, req: { from: string; to: string; attach: string; save: boolean }): Promise<SystemNotification>;
}
