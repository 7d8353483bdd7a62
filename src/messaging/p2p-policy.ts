import type { App } from "../apps/registry.ts";
import type { ConversationProtocol } from "../contracts/conversation.ts";
import { sessionAddress } from "../contracts/session.ts";
import { isHiddenFor } from "../conversation/flags.ts";
import { isP2p, parseP2pId, peerIn, type ConversationRef, type P2pConversation } from "../conversation/ref.ts";
import { refuse } from "../protocol/errors.ts";
import type { ActorRef } from "../runtime/actor-ref.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { admitSend } from "./admission.ts";
import type { ConversationPolicy } from "./policy.ts";
import { journalRetentionDays } from "./retention.ts";

/**
 * One-to-one conversations: two accounts, the session actor, admission by the two accounts'
 * standing and the recipient's blacklist (admission.ts).
 */
export class P2pPolicy implements ConversationPolicy {
  readonly kind = "p2p" as const;

  constructor(private readonly system: ActorSystem) {}

  requireParty(ref: ConversationRef, accid: string, field: string, problem: string): P2pConversation {
    if (isP2p(ref) && ref.parties[0] === ref.parties[1]) refuse(field, problem);
    // Read back from its id, whoever made the reference: the id is what the journal is keyed by.
    const conv = ref.kind === "p2p" ? parseP2pId(ref.id) : undefined;
    if (!conv) refuse(field, "not an account id (at most 32 of letters, digits, _ @ . -)");
    if (peerIn(conv, accid) === undefined) refuse(field, `${accid} is not in conversation ${ref.id}`);
    return conv;
  }

  admitSend(appKey: string, from: string, conv: ConversationRef): Promise<void> | undefined {
    const to = peerIn(conv as P2pConversation, from) as string;
    return admitSend(this.system, appKey, from, to);
  }

  actor(appKey: string, conv: ConversationRef): ActorRef<ConversationProtocol> {
    return sessionAddress(appKey, conv.id);
  }

  journalKey(appKey: string, conv: ConversationRef): string {
    return sessionAddress(appKey, conv.id);
  }

  retainDays(app: App): number {
    return journalRetentionDays(app);
  }

  hiddenFor(flags: number, conv: ConversationRef, accid: string): boolean {
    return isHiddenFor(flags, conv.id, accid);
  }
}
