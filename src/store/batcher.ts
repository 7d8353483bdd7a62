/**
 * Group commit for journal appends, shared by both adapters.
 *
 * Calls submitted in the same event-loop turn, and all calls that arrive while a write is in
 * flight, go to the store as one write (one SQLite transaction, one insertMany), so a busy node
 * pays one fsync / one round trip per batch instead of per message. Only one write is in flight
 * at a time and calls are taken in FIFO order: entries of one conversation therefore reach the
 * store in the order they were appended, and a later batch never overtakes an earlier one.
 */

/** What the adapter's write says about one item. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: Error };

/** Writes items as one unit; returns one result per item, in order. Throws only if nothing could be written. */
export type BatchWrite<I, O> = (items: readonly I[]) => Promise<readonly ItemResult<O>[]>;

interface PendingCall<I, O> {
  items: readonly I[];
  resolve(values: O[]): void;
  reject(err: unknown): void;
}

export class Batcher<I, O> {
  private queue: PendingCall<I, O>[] = [];
  private loop: Promise<void> | null = null;

  /**
   * @param maxItems soft cap on one write: calls are never split, so a single large call may exceed it.
   */
  constructor(
    private readonly write: BatchWrite<I, O>,
    private readonly maxItems = 1000,
  ) {}

  /**
   * Resolves with one value per item, in order, once the batch holding them is written. Rejects
   * with the first failed item's error (the other items of the batch are still written), or with
   * the write's own error when the whole batch failed.
   */
  submit(items: readonly I[]): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<O[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.loop ??= this.run();
    });
  }

  /** Resolves once every submitted call has been settled (used by `close`). */
  async drain(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async run(): Promise<void> {
    // setImmediate, not a microtask: callers that reach `append` after an await in this turn
    // still join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) await this.flush(this.take());
    this.loop = null;
  }

  private take(): PendingCall<I, O>[] {
    let n = 0;
    let count = 0;
    while (n < this.queue.length && (n === 0 || count + this.queue[n]!.items.length <= this.maxItems)) {
      count += this.queue[n]!.items.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async flush(calls: PendingCall<I, O>[]): Promise<void> {
    const items = calls.flatMap((c) => c.items);
    let results: readonly ItemResult<O>[];
    try {
      results = await this.write(items);
      if (results.length !== items.length) {
        throw new Error(`batch write returned ${results.length} results for ${items.length} items`);
      }
    } catch (err) {
      for (const call of calls) call.reject(err);
      return;
    }
    let at = 0;
    for (const call of calls) {
      const values: O[] = [];
      let error: Error | undefined;
      for (const r of results.slice(at, at + call.items.length)) {
        if (r.ok) values.push(r.value);
        else error ??= r.error;
      }
      at += call.items.length;
      if (error) call.reject(error);
      else call.resolve(values);
    }
  }
}
