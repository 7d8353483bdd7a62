import type { App } from "../apps/registry.ts";
import type { ConversationProtocol } from "../contracts/conversation.ts";
import type { ConversationKind, ConversationRef } from "../conversation/ref.ts";
import type { ActorRef } from "../runtime/actor-ref.ts";
import type { ConversationSummary } from "../protocol/messages.ts";

/**
 * What differs between kinds of conversation, and only that: who takes part, who may send, which
 * actor numbers and stores the messages (and so which journal holds them), how long they are kept.
 * The messaging service (messaging.ts) does everything else the same way for every kind — checks
 * the input, generates missing ids, asks the conversation's actor, reads history and sync from
 * the journal. A new kind of conversation is a new policy and a new actor, registered in
 * policies.ts.
 */
export interface ConversationPolicy {
  readonly kind: ConversationKind;
  /**
   * `ref` as a conversation of this kind that `accid` takes part in, checked; otherwise a 414 whose
   * desc names `field` — the parameter by which the caller named the other side or the conversation
   * — and says `problem` when the caller named itself (e.g. "must not be the sender").
   */
  requireParty(ref: ConversationRef, accid: string, field: string, problem: string): ConversationRef;
  /**
   * May `from` send in `conv` now (accounts, relations, mutes, membership)? Undefined when it may
   * at once, a promise when it had to ask; throws or rejects with NIM's refusal.
   */
  admitSend(appKey: string, from: string, conv: ConversationRef): Promise<void> | undefined;
  /** The actor that numbers, stores and publishes the conversation's messages. */
  actor(appKey: string, conv: ConversationRef): ActorRef<ConversationProtocol>;
  /** The journal's key for the conversation (its actor's address). */
  journalKey(appKey: string, conv: ConversationRef): string;
  /** How many days a message of this kind is kept (the longest window anything still owes it for). */
  retainDays(app: App): number;
  /**
   * May `accid` read `conv`'s history and mark it read (teams: a member of a team that exists)?
   * Absent: requireParty said all there is to say.
   */
  admitRead?(appKey: string, accid: string, conv: ConversationRef): Promise<void>;
  /**
   * The conversations of this kind `accid` takes part in, as their list shows them, when the kind
   * keeps no per-user inbox (teams: unread is the team's last seq minus the member's read seq).
   */
  listFor?(appKey: string, accid: string): Promise<ConversationSummary[]>;
  /**
   * Takes `conv` off `accid`'s list until its next message (NIM delRoamSession), for kinds that keep
   * no per-user inbox; answers whether `accid` takes part. Absent: the inbox does it.
   */
  removeFrom?(appKey: string, accid: string, conv: ConversationRef): Promise<boolean>;
  /** Whether `accid` had the message from `from` with these journal flags hidden from them (one-way delete). */
  hiddenFor(flags: number, conv: ConversationRef, accid: string, from: string): boolean;
}
