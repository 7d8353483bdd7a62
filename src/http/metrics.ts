import type { FastifyInstance } from "fastify";
import { Counter, Gauge, collectDefaultMetrics } from "prom-client";
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

  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}
