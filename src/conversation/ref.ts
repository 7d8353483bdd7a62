import { STORED_ACCID_PATTERN } from "../protocol/accid.ts";
import type { ConversationId } from "../protocol/messages.ts";

/**
 * A conversation reference: which kind of conversation, and its id within the app. Every layer
 * names a conversation this way; this file is the only place that reads or writes its string form.
 *
 * The string form (NIM's and the wire's `conv`):
 * - p2p: the two accids sorted and joined by "|", e.g. "alice|bob" (unchanged since the first SDK);
 * - the others: `<kind>:<id>`, e.g. "team:1001", "superteam:7", "chatroom:55".
 * Stored accids cannot hold "|" or ":" (ACCID_PATTERN), so the two forms never overlap.
 */
export const CONVERSATION_KINDS = ["p2p", "team", "superteam", "chatroom"] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

export interface ConversationRef {
  readonly kind: ConversationKind;
  /** p2p: "a|b" (sorted accids); team and super team: the numeric tid; chat room: the roomid. */
  readonly id: string;
}

export type { ConversationId };

/** A p2p conversation: the two accids, first < second. */
export interface P2pConversation extends ConversationRef {
  readonly kind: "p2p";
  readonly parties: readonly [string, string];
}

const ACCID = STORED_ACCID_PATTERN.source.slice(1, -1);
const P2P_ID = new RegExp(`^(${ACCID})\\|(${ACCID})$`);
/** Team, super team and chat room ids are positive decimal integers below 2^53. */
const NUMERIC_ID = /^[1-9]\d{0,15}$/;
const KINDS: ReadonlySet<string> = new Set(CONVERSATION_KINDS);

/** The p2p conversation of two accounts, given in either order. */
export function p2pConversation(a: string, b: string): P2pConversation {
  const parties: [string, string] = a < b ? [a, b] : [b, a];
  return { kind: "p2p", id: `${parties[0]}|${parties[1]}`, parties };
}

/** The string form of a reference. */
export function formatConversation(ref: ConversationRef): ConversationId {
  return ref.kind === "p2p" ? ref.id : `${ref.kind}:${ref.id}`;
}

/**
 * Reads a conversation's string form; undefined when it is not one (an unknown kind, a p2p id whose
 * accids are malformed, unsorted or equal, a non-numeric team id).
 */
export function parseConversation(s: string): ConversationRef | undefined {
  const colon = s.indexOf(":");
  if (colon < 0) return parseP2pId(s);
  const kind = s.slice(0, colon);
  const id = s.slice(colon + 1);
  if (!KINDS.has(kind) || kind === "p2p" || !NUMERIC_ID.test(id)) return undefined;
  return { kind: kind as ConversationKind, id };
}

/** A p2p id ("a|b", sorted, two different well-formed accids) as a reference, or undefined. */
export function parseP2pId(id: string): P2pConversation | undefined {
  const m = P2P_ID.exec(id);
  if (!m) return undefined;
  const a = m[1] as string;
  const b = m[2] as string;
  if (!(a < b)) return undefined;
  return { kind: "p2p", id, parties: [a, b] };
}

/** Whether `ref` is a p2p conversation (narrows it so its parties can be read). */
export function isP2p(ref: ConversationRef): ref is P2pConversation {
  return ref.kind === "p2p" && "parties" in ref;
}

/** The other party of a p2p conversation, or undefined when `me` is not one of its parties. */
export function peerIn(conv: P2pConversation, me: string): string | undefined {
  const [a, b] = conv.parties;
  if (me === a) return b;
  if (me === b) return a;
  return undefined;
}

/** Whether `id` names a p2p conversation one of whose parties is `me`. */
export function isOwnP2pId(id: string, me: string): boolean {
  const conv = parseP2pId(id);
  return conv !== undefined && peerIn(conv, me) !== undefined;
}

/** The p2p conversation id of two accounts, given in either order (the SDK's and REST's `conv`). */
export function conversationOf(a: string, b: string): ConversationId {
  return p2pConversation(a, b).id;
}

/** The other party of p2p conversation `id`, seen from `me`; undefined when `me` is not a party. */
export function peerOf(id: ConversationId, me: string): string | undefined {
  const conv = parseP2pId(id);
  return conv && peerIn(conv, me);
}
