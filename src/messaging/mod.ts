import type { AppRegistry } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { NimbusError } from "../util/errors.ts";
import type { MessagingService } from "./service.ts";

export * from "./types.ts";
export type { MessagingService, HistoryQuery } from "./service.ts";

export interface MessagingDeps {
  system: ActorSystem;
  apps: AppRegistry;
}

// Placeholder while the p2p service is being written; replaced, not kept.
export function createMessagingService(_deps: MessagingDeps): MessagingService {
  const missing = async (): Promise<never> => {
    throw new NimbusError("UNAVAILABLE", "p2p messaging is not implemented yet");
  };
  return {
    send: missing,
    recall: missing,
    deleteOneWay: missing,
    markRead: missing,
    history: missing,
    conversations: missing,
    sync: missing,
    notify: missing,
  };
}
