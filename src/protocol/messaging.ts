/**
 * The messaging part of the realtime wire contract: the request types a device sends, their bodies,
 * and the push types it receives. Shared by the gateway (src/gateway/messaging*.ts) and the SDK so
 * the two cannot disagree; PROTOCOL.md §9 says the same in prose. Types only, plus constants: the
 * SDK runs in browsers.
 */
import type { ConversationId, MessageOption, MessageType } from "./messages.ts";

/** Request types for p2p messaging (Colyseus request/response on the `im` room). */
export const MessagingRequests = {
  /** {@link SendRequest} → `SendAck`. */
  SEND: "send",
  /** {@link RecallRequest} → `RecallEvent`. */
  RECALL: "recall",
  /** {@link MarkReadRequest} → `ReadReceipt`. */
  MARK_READ: "markRead",
  /** {@link HistoryRequest} → `Message[]`. */
  HISTORY: "history",
  /** {@link ConversationsRequest} → `ConversationSummary[]`. */
  CONVERSATIONS: "conversations",
  /** `SyncRequest` → `SyncResult`. */
  SYNC: "sync",
  /** {@link NotifyRequest} → `SystemNotification` (never stored). */
  NOTIFY: "notify",
} as const;

/** A message from this device; the sender is always the logged-in account. */
export interface SendRequest {
  to: string;
  type: MessageType;
  body: Record<string, unknown>;
  ext?: string;
  option?: MessageOption;
  /**
   * The device's id for this message, 1–128 characters. Required: a resend after a lost ack must
   * carry the same one, and then answers the first ack (`duplicate: true`) instead of a second message.
   */
  clientMsgId: string;
}

/** Recall one of this account's own messages to `peer`, within the app's recall window. */
export interface RecallRequest {
  peer: string;
  msgid: number;
}

/** This account has read its conversation with `peer` up to `seq`. */
export interface MarkReadRequest {
  peer: string;
  seq: number;
}

export interface ConversationsRequest {
  /** At most this many, most recently updated first (1..1000; the server's default otherwise). */
  limit?: number;
}

/**
 * A custom notification to another account's online devices (typing, "seen", game moves): not a
 * message, never stored, no seq. `attach` is the app's payload, 1–4096 characters.
 */
export interface NotifyRequest {
  to: string;
  attach: string;
}

/**
 * What a device keeps between sessions so a later login syncs only what it lacks: the newest seq it
 * holds per conversation, and the newest stored-notification seq. `SyncRequest` with both present.
 */
export interface SyncState {
  cursors: Record<ConversationId, number>;
  notificationCursor: number;
  /** Per team: the newest seq of the team's stored custom notifications the device holds; absent = 0. */
  teamNotificationCursors?: Record<string, number>;
  /** The newest broadcast seq the device holds (app-wide broadcasts, PROTOCOL.md §11); absent = 0. */
  broadcastCursor?: number;
}
