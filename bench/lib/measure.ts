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
