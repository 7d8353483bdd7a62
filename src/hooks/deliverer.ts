import { chatroomMessageSyncBody, isChatroomJournalKey } from "./chatroom-events.ts";
import type { Logger } from "pino";
import type { AppRegistry } from "../apps/registry.ts";
import { ownerOf } from "../runtime/placement.ts";
import type { Membership } from "../runtime/membership.ts";
import { entryOfOutboxRef } from "../store/journal-payload.ts";
import { MessageFlags, type Journal, type JournalOutboxRef, type Outbox, type OutboxItem } from "../store/port.ts";
import { messageSyncBody, receiptSyncBody, recallSyncBody, type NimEventBody } from "./events.ts";
import { postSigned } from "./post.ts";
import type { QueuedEvent, SyncQueue } from "./queue.ts";
import type { HookStats } from "./stats.ts";
import { bucketAddress, BUCKETS, syncTopic } from "./topics.ts";

export interface DelivererDeps {
  outbox: Outbox;
  journal: Journal;
  apps: AppRegistry;
  membership: Membership;
  queue: SyncQueue;
  stats: HookStats;
  log: Logger;
}

/** Events taken from a bucket at once; the lease must outlast a batch only when nothing goes wrong. */
const BATCH = 128;
/** How long a lease marks events as taken (see run: the next owner of a bucket takes them back at once). */
export const LEASE_MS = 10_000;
/** An idle bucket looks for work this often (a send on this node wakes it at once). */
const POLL_MS = 500;
const POST_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 30_000;
/**
 * An event queued ahead of the write that makes it true (a recall; a MongoDB append, see
 * AppendEntry.outbox) whose write is not visible yet is waited for this long, then taken for one
 * that never happened (its node died in between, or the action was refused) and dropped.
 */
const UNSTORED_GRACE_MS = 30_000;

/**
 * Conversations (or accounts) of one bucket delivered side by side: up to BUCKETS × this requests
 * per app at once. Delivery is bound by round trips, not CPU: each lane waits for its app server's
 * answer before the next event, so the app's rate is about lanes ÷ round trip (128 lanes at 10 ms
 * give ~12,800 events/s; 32 lanes held ~1,600/s on a busy node, BENCHMARKS.md p2p-datasync).
 */
const LANES_PER_BUCKET = 16;

/** The key whose events must arrive in order: a conversation's journal key, or what a raw event was queued under. */
function partitionOf(item: OutboxItem): string {
  const p = item.payload as { j?: unknown; p?: unknown };
  return typeof p.j === "string" ? p.j : typeof p.p === "string" ? p.p : "";
}

/**
 * Runs `work` over `items`, at most `limit` at a time, and rejects with the first failure only once
 * every item's work has ended: nothing of a batch may still run when its bucket leases the next.
 */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      try {
        await work(items[next++]!);
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

type Resolved = { body: NimEventBody } | { drop: string } | { wait: string };

/**
 * Delivers data sync: each bucket of each app (topics.ts) is delivered by the node that placement
 * gives its address to. A leased batch is split by conversation (or account): up to
 * LANES_PER_BUCKET of them go side by side, each one's events one after another, so a
 * conversation's events arrive in order. A failed event is retried with backoff, in place, holding
 * its conversation's later events (order before progress) and the bucket's next batch; other
 * buckets go on. Events are acked only once the app server took them (HTTP 2xx): at least once,
 * with the outbox id as `eventId` for the app server to drop a repeat. Senders never wait for any
 * of this: they only wrote the outbox item.
 */
export class SyncDeliverer {
  private stopped = false;
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  /** Wakes a sleeping bucket, by topic. */
  private readonly wakers = new Map<string, () => void>();
  private readonly pauses = new Set<() => void>();

  constructor(private readonly deps: DelivererDeps) {
    deps.queue.onQueued((topic) => this.wakers.get(topic)?.());
  }

  start(): void {
    for (const app of this.deps.apps.all()) {
      if (!app.hooks.dataSync.url) continue;
      for (let b = 0; b < BUCKETS; b++) this.loops.push(this.run(app.appKey, b));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    for (const wake of [...this.wakers.values(), ...this.pauses]) wake();
    await Promise.all(this.loops);
  }

  /** Waits `ms`, or less when the deliverer stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pauses.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pauses.add(done);
    });
  }

  private owns(appKey: string, bucket: number): boolean {
    const members = this.deps.membership.members();
    const self = this.deps.membership.self.nodeId;
    return members.includes(self) && ownerOf(bucketAddress(appKey, bucket), members) === self;
  }

  private sleep(topic: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakers.get(topic) === done) this.wakers.delete(topic);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.set(topic, done);
    });
  }

  private async run(appKey: string, bucket: number): Promise<void> {
    const topic = syncTopic(appKey, bucket);
    const stats = this.deps.stats.of(appKey);
    while (!this.stopped) {
      try {
        if (!this.owns(appKey, bucket)) {
          stats.oldestByBucket.delete(bucket);
          await this.sleep(topic, POLL_MS);
          continue;
        }
        // Taken as if LEASE_MS from now (so leased until 1 ms past then: one lease call never hands
        // out an item twice), so items still leased by this bucket's previous owner (a node that
        // died or left, or this node before a restart) come first, in their place: a bucket is
        // delivered from its head or not at all. The owner is placement's, not the lease's, which
        // FerretDB could not make exclusive anyway (its findAndModify is not atomic).
        const items = await this.deps.outbox.lease(topic, BATCH, 1, Date.now() + LEASE_MS);
        if (items.length === 0) {
          stats.oldestByBucket.delete(bucket);
          await this.sleep(topic, POLL_MS);
          continue;
        }
        stats.oldestByBucket.set(bucket, items[0]!.availableAt);
        // The batch's conversations (or accounts) side by side, each one's events one after another.
        const lanes = new Map<string, OutboxItem[]>();
        for (const item of items) {
          const key = partitionOf(item);
          const lane = lanes.get(key);
          if (lane) lane.push(item);
          else lanes.set(key, [item]);
        }
        // What the app server took (or what was dropped) is acked in one write when the batch ends,
        // and before any backoff: a crash in between only delivers those again (at least once).
        const done: string[] = [];
        const flush = async () => {
          if (done.length > 0) await this.deps.outbox.ack(done.splice(0));
        };
        try {
          await inParallel([...lanes.values()], LANES_PER_BUCKET, async (lane) => {
            for (const item of lane) {
              if (!(await this.deliver(appKey, item, flush))) return;
              done.push(item.id);
            }
          });
        } finally {
          await flush();
        }
      } catch (err) {
        // The store failed us (a lease, an ack): what was not acked is taken again from the head.
        this.deps.log.warn({ err, appKey, bucket }, "data sync: store error, trying again");
        await this.sleep(topic, POLL_MS);
      }
    }
  }

  /**
   * True once the event is done with (delivered, or dropped as never true) and may be acked; false
   * when this node let go of it. `flush` acks what the batch has done so far (before a backoff).
   */
  private async deliver(appKey: string, item: OutboxItem, flush: () => Promise<void>): Promise<boolean> {
    const stats = this.deps.stats.of(appKey);
    const bucket = Number(item.topic.slice(item.topic.lastIndexOf("/") + 1));
    let retrying = false;
    try {
      return await this.attempts(appKey, bucket, item, async () => {
        if (!retrying) stats.retrying++;
        retrying = true;
        await flush();
      });
    } finally {
      if (retrying) stats.retrying--;
    }
  }

  private async attempts(appKey: string, bucket: number, item: OutboxItem, failed: () => Promise<void>): Promise<boolean> {
    const stats = this.deps.stats.of(appKey);
    for (let attempt = 0; ; attempt++) {
      if (this.stopped || !this.owns(appKey, bucket)) return false;
      const app = this.deps.apps.get(appKey);
      const url = app?.hooks.dataSync.url;
      if (!app || !url) return false;
      const resolved = await this.resolve(item);
      let problem: string;
      if ("drop" in resolved) {
        stats.dropped++;
        this.deps.log.warn({ appKey, id: item.id, why: resolved.drop }, "data sync: event dropped");
        break;
      } else if ("wait" in resolved) {
        problem = resolved.wait;
      } else {
        const outcome = await postSigned(
          url,
          app.appKey,
          app.appSecret,
          { ...resolved.body, eventId: item.id },
          POST_TIMEOUT_MS,
          this.stopping.signal,
        );
        if (outcome.ok && outcome.status >= 200 && outcome.status < 300) {
          stats.sent++;
          break;
        }
        stats.failed++;
        problem = outcome.ok ? `HTTP ${outcome.status}` : `${outcome.why}: ${outcome.detail}`;
      }
      stats.lastError = problem;
      await failed();
      const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 16));
      // Not woken by new events: a down app server is not tried more often because senders are busy.
      await this.pause(backoff * (0.75 + Math.random() * 0.5));
    }
    return true;
  }

  /** The body to send for a queued event, read from the journal where the event is about a stored message. */
  private async resolve(item: OutboxItem): Promise<Resolved> {
    const p = item.payload as unknown as QueuedEvent | JournalOutboxRef;
    const young = Date.now() - item.availableAt < UNSTORED_GRACE_MS;
    if (!("k" in p)) {
      // Carried by the item where the store wrote both at once (SQLite); looked up otherwise.
      const entry = entryOfOutboxRef(p, this.deps.log) ?? (await this.deps.journal.getByClientMsgId(p.j, p.c));
      if (!entry)
        return young ? { wait: `message ${p.c} of ${p.j} not stored yet` } : { drop: `message ${p.c} of ${p.j} was never stored` };
      if (entry.unreadable) return { drop: `message ${p.c} of ${p.j} cannot be read` };
      return {
        body: isChatroomJournalKey(p.j)
          ? chatroomMessageSyncBody(entry)
          : messageSyncBody(entry, false, Array.isArray(p.m) ? p.m : undefined),
      };
    }
    switch (p.k) {
      case "raw":
        return { body: p.body };
      case "recall": {
        const entry = await this.deps.journal.getByMsgid(p.msgid);
        if (entry && entry.conversation === p.j && (entry.flags & MessageFlags.RECALLED) !== 0) {
          return { body: recallSyncBody(entry, p.by, p.t, p.ct) };
        }
        return young ? { wait: `recall of ${p.msgid} not stored yet` } : { drop: `recall of ${p.msgid} never happened` };
      }
      case "receipt": {
        const [at] = await this.deps.journal.rangeBySeq({ conversation: p.j, toSeq: p.seq, order: "desc", limit: 1 });
        return { body: receiptSyncBody(p.reader, p.peer, p.ct, at?.clientMsgId ?? "", p.t) };
      }
    }
  }
}
