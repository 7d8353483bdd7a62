/** One clock for every limiter: a default parameter's arrow would be one closure per connection. */
const monotonic = (): number => performance.now();

/**
 * A token bucket per connection: `burst` frames at once, refilled at `perSecond`. It also counts
 * refusals in a row, so the gateway can tell a client that briefly overshot (it gets 416 errors and
 * slows down) from one that ignores them (it is disconnected).
 */
export class FrameRateLimiter {
  private tokens: number;
  private last: number;
  /** Refusals since the last accepted frame. */
  refusedInARow = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonic,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the connection is over its rate. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusedInARow = 0;
      return true;
    }
    this.refusedInARow++;
    return false;
  }
}
