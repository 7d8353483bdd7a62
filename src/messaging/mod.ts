import type { AppRegistry } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { Journal } from "../store/port.ts";
import { P2pMessaging } from "./p2p.ts";
import type { MessagingService } from "./service.ts";

export * from "../protocol/messages.ts";
export type { MessagingService, HistoryQuery } from "./service.ts";

export interface MessagingDeps {
  system: ActorSystem;
  apps: AppRegistry;
  /** The journal history and sync read; the actor system's store by default. */
  journal?: Journal;
}

/** The node's messaging service (p2p today; teams join it later). */
export function createMessagingService(deps: MessagingDeps): MessagingService {
  return new P2pMessaging({ system: deps.system, apps: deps.apps, journal: deps.journal ?? deps.system.journal });
}
