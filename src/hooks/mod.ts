import type { Logger } from "pino";
import type { AppRegistry } from "../apps/registry.ts";
import type { Membership } from "../runtime/membership.ts";
import type { Journal, Outbox } from "../store/port.ts";
import { CallbackClient } from "./callbacks.ts";
import { SyncDeliverer } from "./deliverer.ts";
import { AppHooks } from "./hooks.ts";
import { ChatroomHooks } from "./chatroom-hooks.ts";
import { SyncQueue } from "./queue.ts";
import { TeamCallbacks } from "./team-callbacks.ts";
import { HookStats } from "./stats.ts";
import { BUCKETS, syncTopic } from "./topics.ts";

export { AppHooks } from "./hooks.ts";
export { TeamCallbacks, TeamCallbackEvent } from "./team-callbacks.ts";
export { ChatroomHooks } from "./chatroom-hooks.ts";
export { signBody, verifySignature, type SignedHeaders } from "./sign.ts";

/** An app's data sync as /metrics and /healthz show it. */
export interface AppHooksReport {
  sent: number;
  failed: number;
  dropped: number;
  /** Events this node holds that wait for a retry. */
  retrying: number;
  /** Events queued, in every bucket (whichever node delivers them). */
  queueDepth: number;
  /** Age of the oldest event this node holds undelivered (0 when none). */
  oldestUndeliveredMs: number;
  callbacks: number;
  callbackFailures: number;
  /** The oldest undelivered event is older than STALLED_AFTER_MS. */
  stalled: boolean;
  lastError?: string;
}

/** Data sync this far behind is reported as stalled in /healthz. */
export const STALLED_AFTER_MS = 60_000;

export interface HooksDeps {
  outbox: Outbox;
  journal: Journal;
  apps: AppRegistry;
  membership: Membership;
  log: Logger;
}

export interface NodeHooks {
  hooks: AppHooks;
  /** The callbacks before a device's team operations (7–19). */
  teamCallbacks: TeamCallbacks;
  /** Chat room data sync (eventTypes 4, 9, 14). */
  chatrooms: ChatroomHooks;
  deliverer: SyncDeliverer;
  /** Per app that has hooks. */
  report(): Promise<Record<string, AppHooksReport>>;
}

/** The node's hooks: callbacks, the data sync queue and its deliverer (start it once the node is a member). */
export function createHooks(deps: HooksDeps): NodeHooks {
  const stats = new HookStats();
  const queue = new SyncQueue(deps.outbox, deps.apps);
  const callbacks = new CallbackClient(deps.apps, queue, stats, deps.log);
  const hooks = new AppHooks(deps.apps, queue, callbacks, deps.journal, deps.log);
  const deliverer = new SyncDeliverer({ ...deps, queue, stats });
  return {
    hooks,
    teamCallbacks: new TeamCallbacks(callbacks),
    chatrooms: new ChatroomHooks(queue, deps.log),
    deliverer,
    async report() {
      const out: Record<string, AppHooksReport> = {};
      for (const app of deps.apps.all()) {
        if (!app.hooks.dataSync.url && !app.hooks.callback.url) continue;
        const s = stats.of(app.appKey);
        let queueDepth = 0;
        if (app.hooks.dataSync.url) {
          const counts = await Promise.all(Array.from({ length: BUCKETS }, (_, b) => deps.outbox.count(syncTopic(app.appKey, b))));
          queueDepth = counts.reduce((a, b) => a + b, 0);
        }
        const oldest = s.oldestUndeliveredMs();
        out[app.appKey] = {
          sent: s.sent,
          failed: s.failed,
          dropped: s.dropped,
          retrying: s.retrying,
          queueDepth,
          oldestUndeliveredMs: oldest,
          callbacks: s.callbacks,
          callbackFailures: s.callbackFailures,
          stalled: oldest > STALLED_AFTER_MS,
          ...(s.lastError !== undefined && { lastError: s.lastError }),
        };
      }
      return out;
    },
  };
}
