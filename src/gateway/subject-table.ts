import type { Logger } from "pino";
import type { Bus, BusSubscription } from "../bus/port.ts";

/** One subject this node listens to, and how many local holders want it. */
interface Held {
  holders: number;
  readonly subscription: BusSubscription;
  /** Resolves once the subscription is in effect on the bus (NATS has seen it). */
  readonly subscribed: Promise<void>;
}

/**
 * Every bus subject this node's gateway subscribes to, counted: `user.<app>.<accid>` while a device
 * of that user is here, and as they land `team.<app>.<tid>` while a member is here and
 * `chatroom.<app>.<roomid>` while the room's edge has members. The first holder subscribes, the
 * last one's release unsubscribes, so one publish reaches each node with an interested local
 * holder exactly once however many local holders there are (DESIGN "Delivery").
 */
export class SubjectTable {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {}

  /**
   * Holds `subject`. The first holder's `handler` receives every message on it until the last
   * holder releases it; a later holder shares that subscription (its handler is not used). Answers
   * when the subscription is in effect.
   */
  hold(subject: string, handler: (data: Uint8Array) => void): Promise<void> {
    const entry = this.held.get(subject);
    if (entry) {
      entry.holders++;
      return entry.subscribed;
    }
    const subscription = this.bus.subscribe(subject, handler);
    const subscribed = this.bus.flush().catch((err: unknown) => {
      // Delivery may start late; a holder still catches up from the store.
      this.log.warn({ err, subject }, "bus flush after subscribe failed");
    });
    this.held.set(subject, { holders: 1, subscription, subscribed });
    return subscribed;
  }

  /** Releases one hold of `subject`; the last one unsubscribes. Releasing what is not held does nothing. */
  release(subject: string): void {
    const entry = this.held.get(subject);
    if (!entry) return;
    if (--entry.holders > 0) return;
    this.held.delete(subject);
    entry.subscription.unsubscribe();
  }

  /** Whether this node listens to `subject` now. */
  has(subject: string): boolean {
    return this.held.has(subject);
  }

  /** Subjects held, by their first token (`user`, `team`, `chatroom`): what /healthz and /metrics show. */
  countsByKind(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const subject of this.held.keys()) {
      const kind = subject.slice(0, subject.indexOf("."));
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  }

  get size(): number {
    return this.held.size;
  }

  /** Drops every subscription; for the end of a shutdown. */
  clear(): void {
    for (const entry of this.held.values()) entry.subscription.unsubscribe();
    this.held.clear();
  }
}
