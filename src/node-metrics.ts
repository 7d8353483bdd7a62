import type { Bus } from "./bus/mod.ts";
import type { Store } from "./store/mod.ts";
import type { MessagingService } from "./messaging/mod.ts";
import { NodeMetrics } from "./util/metrics.ts";

/**
 * Timing at the node's seams, so the ports and services stay free of metrics code: the store's
 * writes, the bus's round trips and the messages accepted are measured by wrapping what the node
 * hands to the actor system and the edges. Proxies, so a method a port or service gains later passes
 * through untouched.
 */
function timed<T extends object>(target: T, method: keyof T & string, observe: (seconds: number, ok: boolean) => void): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== "function") return value;
      if (prop !== method) return value.bind(t);
      return async (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        try {
          const result: unknown = await (value as (...a: unknown[]) => unknown).apply(t, args);
          observe(NodeMetrics.since(started), true);
          return result;
        } catch (err) {
          observe(NodeMetrics.since(started), false);
          throw err;
        }
      };
    },
  });
}

/** The store with its journal appends and snapshot saves timed. */
export function measuredStore(store: Store, metrics: NodeMetrics): Store {
  const journal = timed(store.journal, "append", (s) => metrics.storeWriteSeconds.observe({ op: "journal_append" }, s));
  const snapshots = timed(store.snapshots, "save", (s) => metrics.storeWriteSeconds.observe({ op: "snapshot_save" }, s));
  return new Proxy(store, {
    get(t, prop) {
      if (prop === "journal") return journal;
      if (prop === "snapshots") return snapshots;
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

/** The bus with its request/reply round trips timed. */
export function measuredBus(bus: Bus, metrics: NodeMetrics): Bus {
  return timed(bus, "request", (s, ok) => metrics.busRequestSeconds.observe({ outcome: ok ? "ok" : "error" }, s));
}

/** The messaging service with each accepted message counted by its conversation's kind. */
export function measuredMessaging(messaging: MessagingService, metrics: NodeMetrics): MessagingService {
  const original = messaging.send.bind(messaging);
  const send: MessagingService["send"] = async (appKey, conv, input) => {
    const ack = await original(appKey, conv, input);
    if (!ack.duplicate) metrics.messages.inc({ kind: conv.kind });
    return ack;
  };
  return new Proxy(messaging, {
    get(t, prop) {
      // A `send` set on the service itself (a test wrapping it) goes first; it may call this one.
      if (prop === "send" && !Object.prototype.hasOwnProperty.call(t, "send")) return send;
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}
