import type { AppRegistry } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { Bus } from "../bus/port.ts";
import type { Journal } from "../store/port.ts";
import { Messaging } from "./messaging.ts";
import { P2pPolicy } from "./p2p-policy.ts";
import { SUPER_TEAMS, TeamPolicy } from "./team-policy.ts";
import type { ConversationPolicy } from "./policy.ts";
import type { MessagingService } from "./service.ts";

export type { MessagingService, HistoryQuery } from "./service.ts";
export type { ConversationPolicy } from "./policy.ts";
export type { MessagingHooks, HookedConversation } from "./hooks.ts";
import type { MessagingHooks } from "./hooks.ts";

export interface CreateMessagingDeps {
  system: ActorSystem;
  bus: Bus;
  apps: AppRegistry;
  /** The journal history and sync read; the actor system's store by default. */
  journal?: Journal;
  /** The app server's callbacks and data sync. */
  hooks?: MessagingHooks;
}

/** The kinds of conversation this node serves, one policy each (p2p and teams). */
export function conversationPolicies(system: ActorSystem): ConversationPolicy[] {
  return [new P2pPolicy(system), new TeamPolicy(system), new TeamPolicy(system, SUPER_TEAMS)];
}

/** The node's messaging service over every kind of conversation it serves. */
export function createMessagingService(deps: CreateMessagingDeps): MessagingService {
  return new Messaging({
    system: deps.system,
    bus: deps.bus,
    apps: deps.apps,
    journal: deps.journal ?? deps.system.journal,
    policies: conversationPolicies(deps.system),
    ...(deps.hooks && { hooks: deps.hooks }),
  });
}
