/**
 * A bounded FIFO, the actor's turn-based inbox. The activation takes from it with `poll` and, once
 * it is empty, asks to be told (`whenReady`) instead of awaiting a promise per message:
 * with several actor messages per p2p message, the iterator's promise and result objects were a
 * visible part of every message's cost. It is still an async iterator for everyone else. `push` refuses
 * (returns false) instead of growing past capacity, so an overloaded actor sheds load at the door.
 * Counters are kept for metrics and tests. Items are never undefined: `poll` says "none" with it.
 */
/** Who takes from a mailbox: told once, synchronously, when it may take again. */
export interface MailboxConsumer {
  ready(): void;
}

export class Mailbox<T extends NonNullable<unknown>> implements AsyncIterable<T> {
  /** Queued items from `head` on; slots before it are cleared, so a handled item can be collected. */
  private readonly items: (T | undefined)[] = [];
  private head = 0;
  /** Told once, synchronously, when an item arrives or the mailbox ends. */
  private consumer: MailboxConsumer | undefined;
  private closed = false;
  private interrupted = false;

  /** Items accepted, refused (full or closed), and handed to the consumer. */
  received = 0;
  refused = 0;
  delivered = 0;

  constructor(readonly capacity: number) {}

  get depth(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Nothing more will be handed out: closed and drained, or interrupted. */
  get ended(): boolean {
    return this.interrupted || (this.closed && this.depth === 0);
  }

  push(item: T): boolean {
    if (this.closed || this.depth >= this.capacity) {
      this.refused++;
      return false;
    }
    this.received++;
    this.items.push(item);
    this.signal();
    return true;
  }

  /** The next item, or undefined when none is queued (or the consumer was interrupted). */
  poll(): T | undefined {
    if (this.interrupted || this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    // Not kept: a busy actor's handled messages would otherwise stay reachable until the next
    // compaction, long enough to be promoted to V8's old space (at 7,000 msgs/s that was most of
    // what the node promoted, and every major GC's work).
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      // Compact now and then rather than on every take: Array#shift is O(n) on long queues.
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.delivered++;
    return item;
  }

  /**
   * Tells `consumer` once, synchronously, as soon as `poll` has something or the mailbox has
   * `ended` — at once if that is already so. One consumer: a second registration replaces the first.
   */
  whenReady(consumer: MailboxConsumer): void {
    if (this.ended || (this.depth > 0 && !this.interrupted)) consumer.ready();
    else this.consumer = consumer;
  }

  /** No more pushes; the consumer still gets what is queued, then the mailbox has ended. */
  close(): void {
    this.closed = true;
    this.signal();
  }

  /**
   * Ends the consumer's taking now, without closing: what is queued stays for `takeAll`, and pushes
   * are still accepted until `close` (the owner re-routes them all at once when it stops).
   */
  interrupt(): void {
    this.interrupted = true;
    this.signal();
  }

  /** Takes everything still queued (for re-routing after the actor was fenced off). */
  takeAll(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items.length = 0;
    this.head = 0;
    return rest;
  }

  private signal(): void {
    const consumer = this.consumer;
    if (consumer) {
      this.consumer = undefined;
      consumer.ready();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    const next = (): IteratorResult<T> => {
      const item = this.poll();
      return item === undefined ? { value: undefined, done: true } : { value: item, done: false };
    };
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (this.depth > 0 || this.ended) return Promise.resolve(next());
        return new Promise((resolve) => this.whenReady({ ready: () => resolve(next()) }));
      },
    };
  }
}
