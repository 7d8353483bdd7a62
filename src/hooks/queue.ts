import type { AppRegistry } from "../apps/registry.ts";
import type { Outbox } from "../store/port.ts";
import type { NimEventBody } from "./events.ts";
import { bucketOf, syncTopic } from "./topics.ts";

/** A data sync event as queued in the outbox (a message itself is queued by its journal append as `{j, c}`). */
export type QueuedEvent =
  /** Told as it is: login, logout, a failed callback. */
  | { k: "raw"; body: NimEventBody; p: string }
  /** A recall, queued before the flag is set: delivered only once the journal shows the message recalled. */
  | { k: "recall"; j: string; msgid: number; by: string; ct?: string; t: number }
  /** A read receipt up to `seq`, told with the clientMsgId of the message there. */
  | { k: "receipt"; j: string; reader: string; peer: string; seq: number; ct?: string; t: number };

/**
 * The write side of data sync: which events an app wants, in which bucket an event goes, and
 * queueing it. Delivery is deliverer.ts.
 */
export class SyncQueue {
  private readonly listeners: ((topic: string) => void)[] = [];
  /**
   * The enqueue in flight per partition: events of one partition are written one after the
   * other, so a logout told right after its login cannot reach the outbox (and the app server)
   * first when the store answers the two writes out of order.
   */
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly outbox: Outbox,
    private readonly apps: AppRegistry,
  ) {}

  /** Whether the app has data sync and wants this eventType. */
  wants(appKey: string, eventType: number): boolean {
    const sync = this.apps.get(appKey)?.hooks.dataSync;
    return sync?.url !== undefined && (sync.events === undefined || sync.events.includes(eventType));
  }

  /** The topic of the bucket events keyed by `partitionKey` (a conversation's journal key, an account) go to. */
  topic(appKey: string, partitionKey: string): string {
    return syncTopic(appKey, bucketOf(partitionKey));
  }

  /** Queues one event (its partition key is the journal key `j`, or `p`); answers its outbox id (also the event's id for the app server). */
  enqueue(appKey: string, partitionKey: string, event: QueuedEvent): Promise<string> {
    const topic = this.topic(appKey, partitionKey);
    const key = `${appKey}\u0000${partitionKey}`;
    const before = this.tails.get(key);
    const write = async (): Promise<string> => {
      const [id] = await this.outbox.enqueue(topic, [event as unknown as Record<string, unknown>]);
      this.queued(topic);
      return id!;
    };
    // A failed write before this one does not stop this one: each caller hears its own outcome.
    const mine = before ? before.then(write, write) : write();
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  /** Withdraws an event queued ahead of an action that then failed. */
  cancel(id: string): Promise<void> {
    return this.outbox.ack([id]);
  }

  /** Something was queued in `topic` (here, or by a journal append this node made). */
  queued(topic: string): void {
    for (const l of this.listeners) l(topic);
  }

  onQueued(listener: (topic: string) => void): void {
    this.listeners.push(listener);
  }
}
