import hdr from "hdr-histogram-js";

export interface LatencySummary {
  count: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

/**
 * Closed loop: `concurrency` callers each issue the next call as soon as the last one answered, for
 * `durationMs` after a warm-up. It finds capacity; latency is what a caller sees at that load.
 * Latencies go into an HDR histogram in microseconds.
 */
export async function closedLoop(
  call: () => Promise<unknown>,
  opts: { concurrency: number; durationMs: number; warmupMs: number },
): Promise<LatencySummary> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let errors = 0;
  // Phases by the clock, not by timers: an in-process call may resolve on microtasks alone, and
  // then a timer would never get its turn.
  const recordFrom = performance.now() + opts.warmupMs;
  const stopAt = recordFrom + opts.durationMs;
  let calls = 0;
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      try {
        await call();
        if (t0 >= recordFrom) histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
      } catch {
        if (t0 >= recordFrom) errors++;
      }
      // Let I/O and timers in now and then, as a real server's event loop would.
      if (++calls % 256 === 0) await new Promise((r) => setImmediate(r));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsed = opts.durationMs;
  const summary: LatencySummary = {
    count: histogram.totalCount,
    perSecond: Math.round((histogram.totalCount / elapsed) * 1000),
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p95Ms: histogram.getValueAtPercentile(95) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    maxMs: histogram.maxValue / 1000,
    errors,
  };
  histogram.destroy();
  return summary;
}

/**
 * The same closed loop, counting calls only: no clock read or histogram entry per call, so when a
 * call costs about a microsecond (an in-process ask) the figure is the callee's, not the harness's.
 */
export async function closedLoopThroughput(
  call: () => Promise<unknown>,
  opts: { concurrency: number; durationMs: number; warmupMs: number },
): Promise<{ perSecond: number; errors: number }> {
  const recordFrom = performance.now() + opts.warmupMs;
  const stopAt = recordFrom + opts.durationMs;
  let total = 0;
  let calls = 0;
  let errors = 0;
  let from: { at: number; calls: number } | undefined;
  let to: { at: number; calls: number } | undefined;
  const worker = async () => {
    while (!to) {
      try {
        await call();
        total++;
      } catch {
        if (from) errors++;
      }
      // The clock is read every 256 calls of the whole loop, where I/O and timers also get their turn.
      if (++calls % 256 === 0) {
        await new Promise((r) => setImmediate(r));
        const now = performance.now();
        if (!from && now >= recordFrom) from = { at: now, calls: total };
        if (from && !to && now >= stopAt) to = { at: now, calls: total };
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const window = to!.at - from!.at;
  return { perSecond: Math.round(((to!.calls - from!.calls) / window) * 1000), errors };
}
