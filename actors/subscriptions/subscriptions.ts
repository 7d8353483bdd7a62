import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { ACCID_PATTERN } from "../../src/protocol/accid.ts";
import { encodeUserEventOf, userSubject } from "../../src/protocol/user-events.ts";
import { SUBSCRIPTIONS_EVENT, type SubscriptionsChanged } from "../../src/protocol/presence-events.ts";
import { userAddress } from "../../src/contracts/user.ts";
import {
  ONLINE_STATE_EVENT,
  type Subscription,
  type SubscriptionsMessage,
  type SubscriptionsProtocol,
} from "../../src/contracts/subscriptions.ts";
import type { ReplyOf } from "../../src/runtime/actor-ref.ts";

/** Saved as rows, not an object keyed by accid: an accid may be `__proto__`. */
interface SubscriptionsState {
  /** Grows by one with each change the nodes must hear of (SubscriptionsChanged.version). */
  version: number;
  /** eventType absent: 1 (rows saved before custom event types). */
  rows: [publisher: string, subscribedAt: number, expireAt: number, eventType?: number][];
}

/** A row's key: one subscription per publisher and eventType. */
function keyOf(publisher: string, eventType: number): string {
  return `${eventType} ${publisher}`;
}

/**
 * One subscriber's subscriptions (`subscriptions/<appKey>/<accid>`): per publisher and eventType
 * (1 online state, ≥ 100000 the publisher's custom events; all count toward the app's limit), persisted
 * before it answers. Every change is also published, versioned, on the subscriber's user subject
 * (SUBSCRIPTIONS_EVENT): each node holding a device of the subscriber then listens to (or stops
 * listening to) those publishers' presence subjects and, once it listens, pushes the new
 * publishers' current state to them (NIM's immediate sync: subscribe first, then sync, so no
 * change falls between). Expired rows count for nothing and are dropped at the next write.
 */
export class SubscriptionsActor extends Actor<SubscriptionsState> {
  private rows = new Map<string, Subscription>();

  initialState(): SubscriptionsState {
    return { version: 0, rows: [] };
  }

  override onActivate(): void {
    for (const [publisher, subscribedAt, expireAt, eventType = ONLINE_STATE_EVENT] of this.state.rows)
      this.rows.set(keyOf(publisher, eventType), { publisher, eventType, subscribedAt, expireAt });
  }

  async receive(message: unknown): Promise<unknown> {
    const m = message as SubscriptionsMessage;
    switch (m.t) {
      case "add":
        return this.add(m.publishers, m.ttlSeconds, m.max, m.eventType ?? ONLINE_STATE_EVENT);
      case "remove":
        return this.remove(m.publishers, m.eventType ?? ONLINE_STATE_EVENT);
      case "clear":
        return this.clear(m.eventType);
      case "query": {
        const live = this.live(Date.now()).filter((s) => m.eventType === undefined || s.eventType === m.eventType);
        if (!m.publishers) return live;
        const wanted = new Set(m.publishers.map((p) => String(p).toLowerCase()));
        return live.filter((s) => wanted.has(s.publisher));
      }
      case "list":
        return {
          version: this.state.version,
          entries: this.live(Date.now()).map((s) => [s.publisher, s.expireAt, s.eventType]),
        } satisfies ReplyOf<SubscriptionsProtocol, { t: "list" }>;
      default:
        throw new NimbusError("PARAM_ERROR", `unknown subscriptions message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private async add(publishers: string[], ttlSeconds: number, max: number, eventType: number): Promise<{ failed: string[] }> {
    const now = Date.now();
    const wanted = new Set<string>();
    const refused = new Set<string>();
    for (const given of publishers) {
      const p = typeof given === "string" && ACCID_PATTERN.test(given) ? given.toLowerCase() : undefined;
      if (p === undefined || p === this.ctx.id) refused.add(String(given));
      else wanted.add(p);
    }
    // Only registered accounts: asked all at once (their actors may live anywhere).
    const exists = await Promise.all(
      [...wanted].map(async (p) => [p, (await this.ctx.ask(userAddress(this.ctx.appKey, p), { t: "get" })) !== null] as const),
    );
    const accepted = exists.filter(([, ok]) => ok).map(([p]) => p);
    for (const [p, ok] of exists) if (!ok) refused.add(p);
    // As given, in the order given, each once.
    const failed = [...new Set(publishers.map(String).filter((g) => refused.has(g) || refused.has(g.toLowerCase())))];
    const liveCount = this.live(now).length;
    const fresh = accepted.filter((p) => !this.isLive(keyOf(p, eventType), now)).length;
    if (liveCount + fresh > max) {
      throw new NimbusError("QUANTITY_LIMIT", `publisherAccids: at most ${max} subscribed accounts; ${liveCount} now, ${fresh} more asked`);
    }
    if (accepted.length > 0) {
      const expireAt = now + ttlSeconds * 1000;
      const next = this.pruned(now);
      for (const p of accepted) next.set(keyOf(p, eventType), { publisher: p, eventType, subscribedAt: now, expireAt });
      const version = await this.commit(next);
      this.announce({ version, set: accepted.map((p) => [p, expireAt, eventType]) });
    }
    return { failed };
  }

  private async remove(publishers: string[], eventType: number): Promise<{ failed: string[] }> {
    const now = Date.now();
    const next = this.pruned(now);
    const failed: string[] = [];
    const removed: string[] = [];
    for (const given of publishers) {
      const p = String(given).toLowerCase();
      if (next.delete(keyOf(p, eventType))) removed.push(p);
      else if (!removed.includes(p)) failed.push(String(given));
    }
    if (removed.length > 0) this.announce({ version: await this.commit(next), removed: removed.map((p) => [p, eventType]) });
    return { failed };
  }

  /** Every subscription, or those of one eventType. */
  private async clear(eventType: number | undefined): Promise<null> {
    if (eventType === undefined) {
      if (this.rows.size === 0) return null;
      this.announce({ version: await this.commit(new Map()), cleared: true });
      return null;
    }
    const next = this.pruned(Date.now());
    const removed = [...next.values()].filter((s) => s.eventType === eventType);
    if (removed.length === 0) return null;
    for (const s of removed) next.delete(keyOf(s.publisher, eventType));
    this.announce({ version: await this.commit(next), removed: removed.map((s) => [s.publisher, eventType]) });
    return null;
  }

  /** Durable first; on a failed save nothing changed. Answers the new version. */
  private async commit(next: Map<string, Subscription>): Promise<number> {
    const previous = this.state;
    const rows = [...next.values()].map((s): SubscriptionsState["rows"][number] =>
      s.eventType === ONLINE_STATE_EVENT
        ? [s.publisher, s.subscribedAt, s.expireAt]
        : [s.publisher, s.subscribedAt, s.expireAt, s.eventType],
    );
    this.state = { version: previous.version + 1, rows };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = previous;
      throw err;
    }
    this.rows = next;
    return this.state.version;
  }

  private announce(change: SubscriptionsChanged): void {
    this.ctx.publish(userSubject(this.ctx.appKey, this.ctx.id), encodeUserEventOf(SUBSCRIPTIONS_EVENT, change));
  }

  private isLive(key: string, now: number): boolean {
    const s = this.rows.get(key);
    return s !== undefined && s.expireAt > now;
  }

  private live(now: number): Subscription[] {
    return [...this.rows.values()].filter((s) => s.expireAt > now);
  }

  private pruned(now: number): Map<string, Subscription> {
    return new Map(this.live(now).map((s) => [keyOf(s.publisher, s.eventType), s]));
  }
}
