import { consoleBusLogger, type BusLogger } from "./handlers.ts";
import { SubjectIndex } from "./subject.ts";

/**
 * The message space of the in-process bus: what the nats-server is to NatsBus. Several LocalBus
 * handles may share one hub, as several connections share one server.
 *
 * Delivery is asynchronous and in one FIFO queue: publish only enqueues, and a drain loop started
 * by a microtask runs the handlers. So a handler never runs inside publish (an actor publishing in
 * the middle of its turn never re-enters itself), and every subscription sees messages in publish
 * order. The loop yields to the event loop (setImmediate) after a budget of deliveries so that a
 * publish storm cannot starve sockets and timers.
 */

export type Reply = (data: Uint8Array) => void;

/** One subscription as the hub sees it; the LocalBus handle owns the user handler and its guard. */
export interface HubSubscriber {
  readonly queue: string | undefined;
  /** False once unsubscribed: deliveries already queued for it are dropped, as NATS drops them. */
  active: boolean;
  /** Should not throw (the bus guards user handlers). `reply` is set for requests. */
  receive(data: Uint8Array, subject: string, reply: Reply | undefined): void;
}

interface Delivery {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly reply: Reply | undefined;
  readonly targets: readonly HubSubscriber[];
}

/** Deliveries per drain turn before yielding to I/O. */
const DRAIN_BUDGET = 1024;

export class LocalHub {
  private readonly index = new SubjectIndex<HubSubscriber>();
  /** Round-robin position per queue group name. */
  private readonly nextInGroup = new Map<string, number>();
  private queue: (Delivery | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private enqueued = 0;
  private delivered = 0;
  private flushWaiters: { upTo: number; resolve: () => void }[] = [];

  constructor(private readonly logger: BusLogger = consoleBusLogger) {}

  /** Adds a subscriber under a (validated here) pattern; returns its idempotent remover. */
  add(pattern: string, sub: HubSubscriber): () => void {
    const remove = this.index.add(pattern, sub);
    return () => {
      sub.active = false;
      remove();
    };
  }

  /**
   * Enqueues one message for everyone subscribed now (a subscription made after publish does
   * not get it, as with NATS). Returns how many subscribers it goes to: 0 means nobody listens.
   */
  publish(subject: string, data: Uint8Array, reply: Reply | undefined): number {
    const targets = this.pick(this.index.match(subject));
    if (targets.length === 0) return 0;
    this.queue.push({ subject, data, reply, targets });
    this.enqueued++;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
    return targets.length;
  }

  /** Resolves once every delivery enqueued so far has run its handlers. */
  flush(): Promise<void> {
    if (this.delivered >= this.enqueued) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push({ upTo: this.enqueued, resolve }));
  }

  /** Everyone without a queue group, plus one member of each queue group (round-robin). */
  private pick(matched: HubSubscriber[]): HubSubscriber[] {
    let grouped = false;
    for (const s of matched) {
      if (s.queue !== undefined) {
        grouped = true;
        break;
      }
    }
    if (!grouped) return matched; // the common case costs nothing more
    const out: HubSubscriber[] = [];
    const groups = new Map<string, HubSubscriber[]>();
    for (const s of matched) {
      if (s.queue === undefined) {
        out.push(s);
        continue;
      }
      const members = groups.get(s.queue);
      if (members === undefined) groups.set(s.queue, [s]);
      else members.push(s);
    }
    for (const [name, members] of groups) {
      const n = this.nextInGroup.get(name) ?? 0;
      out.push(members[n % members.length]!);
      this.nextInGroup.set(name, (n + 1) % Number.MAX_SAFE_INTEGER);
    }
    return out;
  }

  private readonly drain = (): void => {
    let ran = 0;
    // Handlers may publish: their messages join the tail of this same queue, after ours.
    while (this.head < this.queue.length && ran < DRAIN_BUDGET) {
      const d = this.queue[this.head]!;
      this.queue[this.head++] = undefined; // let the payload be collected
      ran++;
      for (const t of d.targets) {
        if (!t.active) continue;
        try {
          t.receive(d.data, d.subject, d.reply);
        } catch (err) {
          // receive() guards user code already; this keeps a bug there from wedging the loop.
          this.logger.error({ err, subject: d.subject }, "local delivery failed");
        }
      }
      this.delivered++;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= DRAIN_BUDGET * 4) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    while (this.flushWaiters.length > 0 && this.flushWaiters[0]!.upTo <= this.delivered) {
      this.flushWaiters.shift()!.resolve();
    }
    if (this.head < this.queue.length) setImmediate(this.drain);
    else this.scheduled = false;
  };
}
