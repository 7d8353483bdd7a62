import { MessageFlags } from "../store/port.ts";
import type { ConversationId } from "../protocol/messages.ts";
import { parseP2pId } from "./ref.ts";

/**
 * The journal flag bits of a p2p message, in one place. The store port defines RECALLED and
 * DELETED (NIM's two-way delete, msg/delMsg: gone for both sides); a one-way delete hides a message from one side only, so it
 * takes one bit per side of the sorted pair "a|b": a's bit and b's bit. A flag update is one
 * atomic bit operation on one entry, so the two sides never overwrite each other.
 */
export const RECALLED = MessageFlags.RECALLED;
/** Deleted for both sides (msg/delMsg): no history, sync or unread count shows it. */
export const DELETED = MessageFlags.DELETED;
/** Hidden from the first accid of the sorted pair. */
export const HIDDEN_FOR_FIRST = 4;
/** Hidden from the second accid of the sorted pair. */
export const HIDDEN_FOR_SECOND = 8;
/**
 * A team message recalled one way (NIM delMsgOneWay type 14): hidden from every member but its
 * sender, who still sees it. One bit: whom it hides from follows from the entry's sender.
 */
export const HIDDEN_FOR_OTHERS = 16;

/** The bit that hides a message of `conv` from `accid`; throws if `accid` is not one of the pair. */
export function hiddenFlagFor(conv: ConversationId, accid: string): number {
  const parties = parseP2pId(conv)?.parties;
  if (accid === parties?.[0]) return HIDDEN_FOR_FIRST;
  if (accid === parties?.[1]) return HIDDEN_FOR_SECOND;
  throw new Error(`${accid} is not a party of ${conv}`);
}

export function isRecalled(flags: number): boolean {
  return (flags & RECALLED) !== 0;
}

export function isDeleted(flags: number): boolean {
  return (flags & DELETED) !== 0;
}

/** Hidden from `accid`: deleted for everyone, or (p2p) deleted one-way for them. */
export function isHiddenFor(flags: number, conv: ConversationId, accid: string): boolean {
  if (isDeleted(flags)) return true;
  // Only p2p messages have one-way-delete bits so far (a team's would need one per member).
  if (parseP2pId(conv) === undefined) return false;
  return (flags & hiddenFlagFor(conv, accid)) !== 0;
}
