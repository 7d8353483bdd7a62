/** Per-app counters of the hooks, read by /metrics and /healthz. Plain numbers: bumped on the hot path, read when scraped. */
export class AppHookStats {
  /** Data sync events the app server took (HTTP 2xx). */
  sent = 0;
  /** Data sync attempts that failed (timeout, no connection, non-2xx); each is retried. */
  failed = 0;
  /** Events dropped because what they told of was never stored (see deliverer.ts). */
  dropped = 0;
  /** Callbacks made, and those that failed (timeout, bad answer): each failure is a data sync 83. */
  callbacks = 0;
  callbackFailures = 0;
  /** Events waiting for a retry right now (each holds its conversation's later events). */
  retrying = 0;
  /** Per bucket this node delivers: when its oldest undelivered event was queued (ms), while it has one. */
  readonly oldestByBucket = new Map<number, number>();
  /** The last delivery failure, for /healthz. */
  lastError: string | undefined;

  /** Age of the oldest event this node is holding undelivered, 0 when none. */
  oldestUndeliveredMs(now = Date.now()): number {
    let oldest = Infinity;
    for (const t of this.oldestByBucket.values()) oldest = Math.min(oldest, t);
    return oldest === Infinity ? 0 : Math.max(0, now - oldest);
  }
}

export class HookStats {
  private readonly byApp = new Map<string, AppHookStats>();

  of(appKey: string): AppHookStats {
    let s = this.byApp.get(appKey);
    if (!s) this.byApp.set(appKey, (s = new AppHookStats()));
    return s;
  }

  entries(): [string, AppHookStats][] {
    return [...this.byApp.entries()];
  }
}
