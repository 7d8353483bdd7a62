import type { FastifyInstance } from "fastify";
import { Registry, Counter, Gauge, collectDefaultMetrics } from "prom-client";
import { unreadableJournalEntries } from "../store/mod.ts";
import type { NodeInfo } from "./types.ts";

/**
 * `GET /metrics` in Prometheus text. The runtime keeps plain counters on its hot path; they are
 * read here only when scraped.
 */
export function registerMetrics(app: FastifyInstance, node: NodeInfo): void {
  const registry = new Registry();
  registry.setDefaultLabels({ node: node.nodeId });
  collectDefaultMetrics({ register: registry, prefix: "nimbus_process_" });

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

  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}
