import { Counter, Histogram, Registry } from "prom-client";

/** Latency buckets in seconds, from a sub-millisecond in-process hop to a slow disk or a timeout. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The series an IM operator watches, in one registry per node (tests run several nodes in one
 * process, so nothing is registered globally). Every name starts `nimbus_` once; what each means is
 * in docs/metrics.md. Instruments here are the ones counted on the way (push); `GET /metrics`
 * adds the ones read when scraped (devices online, mailbox depth, actor counters).
 */
export class NodeMetrics {
  readonly registry = new Registry();

  readonly logins = new Counter({
    name: "nimbus_logins_total",
    help: "device logins (matchmake) by NIM result code: 200 admitted, 302 wrong token, 416 throttled, …",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });

  readonly logouts = new Counter({
    name: "nimbus_logouts_total",
    help: "devices that went offline for good, by reason: logout, disconnect, kicked",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly messages = new Counter({
    name: "nimbus_messages_total",
    help: "messages accepted (acknowledged, not a duplicate) by conversation kind: p2p, team, superteam, chatroom",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: "nimbus_fanout_deliveries_total",
    help: "push frames handed to local devices (one per device per push: the fan-out)",
    registers: [this.registry],
  });

  readonly restRequests = new Counter({
    name: "nimbus_rest_requests_total",
    help: "NIM server API calls by endpoint (module/action, or 'unknown') and NIM result code",
    labelNames: ["endpoint", "code"] as const,
    registers: [this.registry],
  });

  readonly restSeconds = new Histogram({
    name: "nimbus_rest_request_duration_seconds",
    help: "NIM server API call latency by endpoint, from the request's first byte to the answer",
    labelNames: ["endpoint"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly storeWriteSeconds = new Histogram({
    name: "nimbus_store_write_duration_seconds",
    help: "store write latency by operation: journal_append, snapshot_save",
    labelNames: ["op"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly storeCommands = new Counter({
    name: "nimbus_store_commands_total",
    help: "commands sent to the MongoDB server, each one round trip, by command name (insert, find, update, …); none on SQLite",
    labelNames: ["command"] as const,
    registers: [this.registry],
  });

  readonly busMessages = new Counter({
    name: "nimbus_bus_messages_total",
    help: "messages this node put on the bus by kind: publish (fan-out, membership) and request (asks to other nodes)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly busRequestSeconds = new Histogram({
    name: "nimbus_bus_request_duration_seconds",
    help: "bus request/reply round trips (actor asks to other nodes, cluster calls) by outcome: ok, error",
    labelNames: ["outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /** Seconds since `startedNs` (process.hrtime.bigint()). */
  static since(startedNs: bigint): number {
    return Number(process.hrtime.bigint() - startedNs) / 1e9;
  }
}
