import type {
  ConversationSummary,
  HistoryRequest,
  Message,
  ReadReceipt,
  RecallEvent,
  SendAck,
  SendInput,
  SyncRequest,
  SyncResult,
  SystemNotification,
} from "../protocol/messages.ts";

/** A history page as the service takes it: whose view, and which page. */
export interface HistoryQuery extends HistoryRequest {
  /** Whose view: messages they deleted one-way are left out. */
  accid: string;
}

/**
 * P2P messaging as the two edges use it (REST handlers and the realtime gateway): each call names
 * the app, validates what the edge could not (accounts exist, relations allow it, windows), and
 * throws a NimbusError with NIM's code otherwise.
 */
export interface MessagingService {
  /** validate -> relations (blocked 422, muted 423, blacklisted by the peer) -> journal -> ack -> publish. */
  send(appKey: string, input: SendInput): Promise<SendAck>;
  /**
   * Recall by the sender (`by` = accid; within the app's recall window) or by the app server
   * (`by` = null; `ignoreTime` allows up to 30 days). Past the window -> 508.
   */
  recall(appKey: string, req: { by: string | null; from: string; to: string; msgid: number; ignoreTime?: boolean }): Promise<RecallEvent>;
  /** Hides one message from `accid`'s history only (NIM delMsgOneWay). */
  deleteOneWay(appKey: string, req: { accid: string; peer: string; msgid: number }): Promise<void>;
  /** `reader` has read the conversation with `peer` up to `seq`; the peer's devices get a receipt. */
  markRead(appKey: string, req: { reader: string; peer: string; seq: number }): Promise<ReadReceipt>;
  history(appKey: string, query: HistoryQuery): Promise<Message[]>;
  /** The user's conversations, most recently updated first. */
  conversations(appKey: string, accid: string, opts?: { limit?: number; updatedSince?: number }): Promise<ConversationSummary[]>;
  /** Login sync within NIM's offline / roaming limits (the app's config). */
  sync(appKey: string, accid: string, req: SyncRequest): Promise<SyncResult>;
  /** A system notification: `save` false = online devices only, never stored; true = kept for offline delivery. */
  notify(appKey: string, req: { from: string; to: string; attach: string; save: boolean }): Promise<SystemNotification>;
}
