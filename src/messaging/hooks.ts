import type { ConversationRef } from "../conversation/ref.ts";
import type { MessageInput, ReadReceipt, RecallEvent, SendAck } from "../protocol/messages.ts";

/** Which conversation an action is in, as the hooks need it. */
export interface HookedConversation {
  appKey: string;
  conv: ConversationRef;
  /** The conversation's journal key (its actor's address): events of one conversation share it, and so their order. */
  journalKey: string;
}

/**
 * The app server's hooks as the messaging service sees them (implemented in src/hooks/): each
 * wraps one action of any kind of conversation — the callback before it, the data sync of it —
 * so a new kind of conversation joins with one call per action.
 */
export interface MessagingHooks {
  /**
   * A send: the callback first (a client's send only), then `send` with the input as the app
   * server left it and the outbox topic its journal append must queue it in (undefined: no data
   * sync). A refusal rejects with the app server's code.
   */
  send(
    at: HookedConversation,
    input: MessageInput & { clientMsgId: string },
    send: (input: MessageInput & { clientMsgId: string }, syncTopic: string | undefined) => Promise<SendAck>,
  ): Promise<SendAck>;
  /** A recall by a device (`by` its sender, `fromClientType` its client type) or the app server (`by` null). */
  recall(
    at: HookedConversation,
    req: { by: string | null; from: string; msgid: number; fromClientType?: string },
    recall: () => Promise<RecallEvent>,
  ): Promise<RecallEvent>;
  /** A read receipt by `reader`. */
  markRead(at: HookedConversation, reader: string, markRead: () => Promise<ReadReceipt>): Promise<ReadReceipt>;
}
