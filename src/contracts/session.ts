import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { ConversationId, Message, ReadReceipt, RecallEvent, SendAck } from "../protocol/messages.ts";
import type { ConversationProtocol, MessageRef } from "./conversation.ts";

/**
 * The p2p conversation actor's protocol (`session/<appKey>/<a>|<b>`, accids sorted): what every
 * conversation takes, and `info`. Plain data, so requests cross nodes as msgpack. A message sent
 * here goes to the party that is not its sender.
 */
export type SessionProtocol = ConversationProtocol & {
  info: { request: object; reply: P2pSessionInfo };
};

export type SessionMessage = RequestOf<SessionProtocol>;

/** A p2p conversation at a glance (its parties, last seq and read positions). */
export interface P2pSessionInfo {
  /** The two accids, sorted. */
  parties: [string, string];
  lastSeq: number;
  /** How far each side has read, in the order of `parties`. */
  read: [number, number];
}

export type { ConversationId, Message, MessageRef, ReadReceipt, RecallEvent, SendAck };

export const SESSION_KIND = "session";

/** The p2p conversation's actor; its address is also the journal's conversation key. */
export function sessionAddress(appKey: string, conv: ConversationId): ActorRef<SessionProtocol> {
  return actorRef<SessionProtocol>(SESSION_KIND, appKey, conv);
}
