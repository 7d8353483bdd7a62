import type { FastifyInstance } from "fastify";
import { Counter, Gauge, collectDefaultMetrics, type Registry } from "prom-client";
import type { NodeMetrics } from "../util/metrics.ts";
import { unreadableJournalEntries } from "../store/mod.ts";
import type { NodeInfo } from "./types.ts";

/**
 * `GET /metrics` in Prometheus text: the node's IM series (util/metrics.ts, counted on the way) and
 * what is read when scraped — the runtime's plain counters, devices online, cluster members — plus
 * prom-client's process and Node.js series under `nimbus_` (their own names already say `process_`
 * or `nodejs_`). docs/metrics.md lists them all.
 */
export function registerMetrics(app: FastifyInstance, node: NodeInfo, metrics: NodeMetrics): void {
  const registry = metrics.registry;
  registry.setDefaultLabels({ node: node.nodeId });
  collectDefaultMetrics({ register: registry, prefix: "nimbus_" });

  const counters = [
    ["activations", "actor activations started on this node"],
    ["passivations", "actor activations stopped cleanly"],
    ["fenced", "activations dropped because a newer one wrote first"],
    ["handled", "actor messages handled"],
    ["failed", "actor messages whose handler threw"],
    ["overloaded", "actor messages refused because a mailbox was full"],
    ["remoteOut", "actor messages sent to other nodes"],
    ["remoteIn", "actor messages received from other nodes"],
  ] as const;
  for (const [key, help] of counters) {
    new Counter({
      name: `nimbus_actor_${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`,
      help,
      registers: [registry],
      collect() {
        // The runtime owns the count; the exporter mirrors it.
        this.reset();
        this.inc(node.system.stats[key]);
      },
    });
  }
  new Counter({
    name: "nimbus_store_unreadable_journal_entries_total",
    help: "journal entries read whose stored payload could not be decoded (skipped by every read, logged once each)",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(unreadableJournalEntries.count);
    },
  });
  new Gauge({
    name: "nimbus_actor_active",
    help: "live actor activations",
    registers: [registry],
    collect() {
      this.set(node.system.load().active);
    },
  });
  new Gauge({
    name: "nimbus_actor_mailbox_depth",
    help: "messages waiting in all mailboxes",
    registers: [registry],
    collect() {
      this.set(node.system.load().mailboxDepth);
    },
  });
  new Gauge({
    name: "nimbus_cluster_members",
    help: "live members seen by this node",
    registers: [registry],
    collect() {
      this.set(node.members().length);
    },
  });

  new Gauge({
    name: "nimbus_devices_online",
    help: "devices online on this node (joined, or inside their resume window) by client type",
    labelNames: ["client_type"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [clientType, n] of node.devicesByClientType()) this.set({ client_type: clientType }, n);
    },
  });

  new Gauge({
    name: "nimbus_chatroom_members_online",
    help: "chat room members entered on this node, all rooms",
    registers: [registry],
    collect() {
      this.set(node.chatrooms?.()?.members ?? 0);
    },
  });
  new Counter({
    name: "nimbus_chatroom_budget_dropped_total",
    help: "normal chat room messages not written to a member because its receive budget (per second) was spent: by design, not a loss",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(node.chatrooms?.()?.droppedByBudget ?? 0);
    },
  });

  registerHookMetrics(registry, node);

  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}

/** Per app: data sync sent, failed, retrying, queue depth, oldest undelivered age; callbacks made and failed. */
function registerHookMetrics(registry: Registry, node: NodeInfo): void {
  const report = node.hooks;
  if (!report) return;
  const metrics = [
    ["nimbus_datasync_sent_total", "data sync events the app server took", "sent", Counter],
    ["nimbus_datasync_failed_total", "data sync attempts that failed (each is retried)", "failed", Counter],
    ["nimbus_datasync_dropped_total", "data sync events dropped because what they told of was never stored", "dropped", Counter],
    ["nimbus_datasync_retrying", "data sync events this node holds that wait for a retry", "retrying", Gauge],
    ["nimbus_datasync_queue_depth", "data sync events queued, cluster-wide", "queueDepth", Gauge],
    ["nimbus_datasync_oldest_undelivered_seconds", "age of the oldest event this node holds undelivered", "oldestUndeliveredMs", Gauge],
    ["nimbus_callback_total", "callbacks made to the app server", "callbacks", Counter],
    ["nimbus_callback_failed_total", "callbacks that timed out or got a bad answer", "callbackFailures", Counter],
  ] as const;
  // One report per scrape, shared by every metric of it.
  let pending: ReturnType<typeof report> | undefined;
  const current = () => {
    pending ??= report().finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  for (const [name, help, key, Kind] of metrics) {
    new Kind({
      name,
      help,
      labelNames: ["app"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [app, r] of Object.entries(await current())) {
          const value = key === "oldestUndeliveredMs" ? r[key] / 1000 : r[key];
          if (this instanceof Counter) this.inc({ app }, value);
          else this.set({ app }, value);
        }
      },
    });
  }
}
