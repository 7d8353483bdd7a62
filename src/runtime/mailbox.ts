/**
 * A bounded FIFO consumed as an async iterator, one item at a time: the actor's turn-based inbox.
 * `push` refuses (returns false) instead of growing past capacity, so an overloaded actor sheds
 * load at the door. Counters are kept for metrics and tests.
 */
export class Mailbox<T> implements AsyncIterable<T> {
  /** Queued items from `head` on; slots before it are cleared, so a handled item can be collected. */
  private readonly items: (T | undefined)[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
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

  push(item: T): boolean {
    if (this.closed || this.depth >= this.capacity) {
      this.refused++;
      return false;
    }
    this.received++;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.delivered++;
      w({ value: item, done: false });
      return true;
    }
    this.items.push(item);
    return true;
  }

  /** No more pushes; the consumer still gets what is queued, then the iteration ends. */
  close(): void {
    this.closed = true;
    if (this.waiter && this.depth === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  /**
   * Ends the iteration now, without closing: what is queued stays for `takeAll`, and pushes are
   * still accepted until `close` (the owner re-routes them all at once when it stops).
   */
  interrupt(): void {
    this.interrupted = true;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  /** Takes everything still queued (for re-routing after the actor was fenced off). */
  takeAll(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items.length = 0;
    this.head = 0;
    return rest;
  }

  private shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
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
      // Compact now and then rather than on every shift: Array#shift is O(n) on long queues.
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (this.interrupted) return Promise.resolve({ value: undefined, done: true });
        if (this.depth > 0) {
          this.delivered++;
          return Promise.resolve({ value: this.shift() as T, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
    };
  }
}
