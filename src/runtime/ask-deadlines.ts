/** What the deadline list needs of a pending ask. */
export interface TimedAsk {
  readonly deadline: number;
  readonly timeoutMs: number;
  /** Links of the list the ask is in; null when it is in none. */
  prevAsk: TimedAsk | null;
  nextAsk: TimedAsk | null;
  queued: boolean;
  /** Called once the deadline has passed with the ask still pending; it is already unlinked. */
  expire(): void;
}

/** The asks of one timeout, oldest first: their deadlines come in the order they were added. */
class AskQueue {
  head: TimedAsk | null = null;
  tail: TimedAsk | null = null;
}

/**
 * Every pending ask's deadline, with one timer for all of them instead of one each. Asks of the
 * same timeout expire in the order they were made, so each timeout keeps a list, and the timer is
 * armed for the earliest head. An answered ask unlinks itself in O(1). A timer per ask cost an
 * object, a closure and two calls into libuv's clock per ask.
 *
 * The timer is not disarmed when the last pending ask is answered: asks often come one at a time
 * (each answered before the next is made), and arming and disarming per ask cost as much as a
 * timer per ask. It fires at most once more, finds nothing due, and is not armed again until an
 * ask is made; `settle` disarms it at once when nothing is pending.
 */
export class AskDeadlines {
  private readonly queues = new Map<number, AskQueue>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private pending = 0;

  /** Asks pending. */
  get size(): number {
    return this.pending;
  }

  /** The timeouts they are queued under. */
  get timeouts(): number {
    return this.queues.size;
  }

  /** Whether the timer is armed: while some ask is pending, and until it fires once more after. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  add(ask: TimedAsk): void {
    let q = this.queues.get(ask.timeoutMs);
    if (!q) this.queues.set(ask.timeoutMs, (q = new AskQueue()));
    ask.prevAsk = q.tail;
    ask.nextAsk = null;
    if (q.tail) q.tail.nextAsk = ask;
    else q.head = ask;
    q.tail = ask;
    ask.queued = true;
    this.pending++;
    if (ask.deadline < this.timerAt) this.arm(ask.deadline);
  }

  /** Idempotent: an ask answered after it expired is no longer here. */
  remove(ask: TimedAsk): void {
    if (!ask.queued) return;
    const q = this.queues.get(ask.timeoutMs)!;
    if (ask.prevAsk) ask.prevAsk.nextAsk = ask.nextAsk;
    else q.head = ask.nextAsk;
    if (ask.nextAsk) ask.nextAsk.prevAsk = ask.prevAsk;
    else q.tail = ask.prevAsk;
    ask.prevAsk = ask.nextAsk = null;
    ask.queued = false;
    this.pending--;
  }

  /** Disarms the timer now if no ask is pending (a drained system holds no timer); a later ask arms it again. */
  settle(): void {
    if (this.pending === 0) this.disarm();
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, at - Date.now()));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    const expired: TimedAsk[] = [];
    let next = Infinity;
    for (const [timeoutMs, q] of this.queues) {
      while (q.head && q.head.deadline <= now) {
        const ask = q.head;
        this.remove(ask);
        expired.push(ask);
      }
      // Rare timeouts (an ask's own option) do not keep a list once nothing waits on them.
      if (!q.head) this.queues.delete(timeoutMs);
      else if (q.head.deadline < next) next = q.head.deadline;
    }
    if (next < Infinity) this.arm(next);
    // After the bookkeeping: an expiry may make new asks.
    for (const ask of expired) ask.expire();
  };
}
