import type { Bus } from "./bus/mod.ts";
import type { Store } from "./store/mod.ts";
import type { MessagingService } from "./messaging/mod.ts";
import { NodeMetrics } from "./util/metrics.ts";

/**
 * Timing at the node's seams, so the ports and services stay free of metrics code: the store's
 * writes, the bus's round trips and the messages accepted are measured by wrapping what the node
 * hands to the actor system and the edges.
 *
 * A Proxy, so a method a port or service gains later passes through untouched. Its methods are
 * bound to the real object once each (not per access: the bus's publish is on the fan-out path).
 * An override applies while the object still holds what it replaced: a replacement set on the
 * object later (a test wrapping a method) goes first, and may call the measured one it read before.
 */
function withOverrides<T extends object>(target: T, overrides: Record<string, unknown>): T {
  const replaced = new Map(Object.keys(overrides).map((k) => [k, Reflect.get(target, k, target) as unknown]));
  const bound = new WeakMap<object, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof prop === "string" && replaced.has(prop) && replaced.get(prop) === value) return overrides[prop];
      if (typeof value !== "function") return value;
      let b = bound.get(value);
      if (b === undefined) bound.set(value, (b = (value as (...a: unknown[]) => unknown).bind(t)));
      return b;
    },
  });
}

/** `method` of `target`, timed: `observe` gets its seconds and whether it resolved. */
function timed<T extends object>(target: T, method: keyof T & string, observe: (seconds: number, ok: boolean) => void): T {
  const original = (target[method] as (...a: unknown[]) => Promise<unknown>).bind(target);
  const measured = async (...args: unknown[]) => {
    const started = process.hrtime.bigint();
    try {
      const result = await original(...args);
      observe(NodeMetrics.since(started), true);
      return result;
    } catch (err) {
      observe(NodeMetrics.since(started), false);
      throw err;
    }
  };
  return withOverrides(target, { [method]: measured });
}

/** The store with its journal appends and snapshot saves timed. */
export function measuredStore(store: Store, metrics: NodeMetrics): Store {
  const journal = timed(store.journal, "append", (s) => metrics.storeWriteSeconds.observe({ op: "journal_append" }, s));
  const snapshots = timed(store.snapshots, "save", (s) => metrics.storeWriteSeconds.observe({ op: "snapshot_save" }, s));
  return withOverrides(store, { journal, snapshots });
}

/** The bus with its request/reply round trips timed, and every message it sends counted. */
export function measuredBus(bus: Bus, metrics: NodeMetrics): Bus {
  const requests = metrics.busMessages.labels({ kind: "request" });
  const publishes = metrics.busMessages.labels({ kind: "publish" });
  const timedBus = timed(bus, "request", (s, ok) => metrics.busRequestSeconds.observe({ outcome: ok ? "ok" : "error" }, s));
  const request = timedBus.request.bind(timedBus);
  const publish = bus.publish.bind(bus);
  return withOverrides(timedBus, {
    request: (subject: string, data: Uint8Array, options: Parameters<Bus["request"]>[2]) => {
      requests.inc();
      return request(subject, data, options);
    },
    publish: (subject: string, data: Uint8Array) => {
      publishes.inc();
      publish(subject, data);
    },
  });
}

/** The messaging service with each accepted message counted by its conversation's kind. */
export function measuredMessaging(messaging: MessagingService, metrics: NodeMetrics): MessagingService {
  const original = messaging.send.bind(messaging);
  const send: MessagingService["send"] = async (appKey, conv, input) => {
    const ack = await original(appKey, conv, input);
    if (!ack.duplicate) metrics.messages.inc({ kind: conv.kind });
    return ack;
  };
  return withOverrides(messaging, { send });
}
