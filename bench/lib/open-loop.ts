import hdr from "hdr-histogram-js";

type Histogram = ReturnType<typeof hdr.build>;

function histogram(): Histogram {
  // Microseconds, 1 µs to 60 s, 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

/** What one open-loop step measured in one load generator; histograms travel as compressed base64. */
export interface StepCounts {
  scheduled: number;
  /** Sends answered with an ack. */
  acked: number;
  /** Sends refused or failed (any error answer, timeouts). */
  errors: number;
  /** Distinct messages that reached their recipient. */
  delivered: number;
  /** Acked but never delivered within the drain time. */
  lost: number;
  duplicated: number;
  /** Delivered before a message sent earlier on the same stream (send order). */
  outOfOrder: number;
  /** Pushes whose seq was lower than one the recipient already had from that conversation (server order). */
  seqOutOfOrder: number;
  /** How far behind its own schedule the generator fell at worst (its own backlog), ms. */
  maxSendLagMs: number;
  /** CPU the generator used during the step, as a fraction of one core. */
  cpu: number;
}

/** Refusals by NIM code (or "timeout"/"other"), for the report. */
export type ErrorCodes = Record<string, number>;

export interface StepResult extends StepCounts {
  errorCodes: ErrorCodes;
  ackHistogram: string;
  deliverHistogram: string;
}

export interface OpenLoopOptions {
  /** Aggregate messages per second over all streams. */
  rate: number;
  durationMs: number;
  /** How long to wait after the last send for acks and deliveries. */
  drainMs: number;
  /** Independent ordered streams (one per sender→recipient direction). */
  streams: number;
  /** Step number: travels in every message so late arrivals from an earlier step are ignored. */
  step: number;
  /** Send message `i` on stream `i % streams`; resolves on the ack. */
  send(stream: number, step: number, i: number): Promise<unknown>;
}

/**
 * Open loop: message i is due at start + i/rate whatever happened to earlier ones, and both
 * latencies are measured from that intended time (not from when the send actually went out), so a
 * backlog anywhere — server, network or this generator — shows up as latency instead of being
 * hidden by a slower send rate (coordinated omission).
 *
 * The transport calls `delivered(step, i)` when message i reaches its recipient.
 */
export class OpenLoop {
  private step = -1;
  private intended = new Float64Array(0);
  private received = new Uint8Array(0);
  private lastOnStream = new Int32Array(0);
  private ack = histogram();
  private deliver = histogram();
  private counts = { delivered: 0, duplicated: 0, outOfOrder: 0, seqOutOfOrder: 0 };
  private streams = 1;

  /** The transport reports a push that came with a lower seq than the last one from that conversation. */
  seqRegression(step: number): void {
    if (step === this.step) this.counts.seqOutOfOrder++;
  }

  delivered(step: number, i: number): void {
    if (step !== this.step || i < 0 || i >= this.intended.length) return;
    const now = performance.now();
    if (this.received[i]! > 0) {
      this.counts.duplicated++;
      return;
    }
    this.received[i] = 1;
    this.counts.delivered++;
    const s = i % this.streams;
    if (i < this.lastOnStream[s]!) this.counts.outOfOrder++;
    else this.lastOnStream[s] = i;
    this.deliver.recordValue(Math.max(1, Math.round((now - this.intended[i]!) * 1000)));
  }

  async run(o: OpenLoopOptions): Promise<StepResult> {
    const total = Math.max(1, Math.round((o.rate * o.durationMs) / 1000));
    this.step = o.step;
    this.streams = o.streams;
    this.intended = new Float64Array(total);
    this.received = new Uint8Array(total);
    this.lastOnStream = new Int32Array(o.streams).fill(-1);
    this.ack.reset();
    this.deliver.reset();
    this.counts = { delivered: 0, duplicated: 0, outOfOrder: 0, seqOutOfOrder: 0 };
    let acked = 0;
    let errors = 0;
    const errorCodes: ErrorCodes = {};
    const ackedFlags = new Uint8Array(total);
    const settledWithError = new Uint8Array(total);
    let maxLag = 0;
    const interval = 1000 / o.rate;
    const cpu0 = process.cpuUsage();
    const start = performance.now() + 5;
    const pending: Promise<void>[] = [];
    let next = 0;
    while (next < total) {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        const i = next++;
        const due = start + i * interval;
        this.intended[i] = due;
        maxLag = Math.max(maxLag, now - due);
        pending.push(
          o.send(i % o.streams, o.step, i).then(
            () => {
              acked++;
              ackedFlags[i] = 1;
              this.ack.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000)));
            },
            (err: unknown) => {
              errors++;
              settledWithError[i] = 1;
              const code = String((err as { code?: unknown }).code ?? "other");
              errorCodes[code] = (errorCodes[code] ?? 0) + 1;
            },
          ),
        );
      }
      // Sleep until the next one is due; timers let socket I/O (acks, pushes) in meanwhile.
      const wait = start + next * interval - performance.now();
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wait, 5))));
    }
    const sentAt = performance.now();
    const cpuUsed = process.cpuUsage(cpu0);
    const drainUntil = performance.now() + o.drainMs;
    const settled = Promise.all(pending);
    let done = false;
    void settled.then(() => (done = true));
    while (performance.now() < drainUntil && !(done && this.counts.delivered >= acked)) await new Promise((r) => setTimeout(r, 20));
    let lost = 0;
    for (let i = 0; i < total; i++) if (ackedFlags[i] && !this.received[i]) lost++;
    const unanswered = total - acked - errors;
    if (unanswered > 0) {
      // Which sends went unanswered tells a stalled conversation from a late ack: report them.
      let deliveredAnyway = 0;
      const sample: number[] = [];
      for (let i = 0; i < total; i++) {
        if (ackedFlags[i] || settledWithError[i]) continue;
        if (this.received[i]) deliveredAnyway++;
        if (sample.length < 5) sample.push(i);
      }
      console.error(
        `step ${o.step}: ${unanswered} sends unanswered after the drain (${deliveredAnyway} of them delivered); first: ${sample.join(", ")} of ${total} over ${o.streams} streams`,
      );
    }
    const result: StepResult = {
      scheduled: total,
      acked,
      errors: errors + unanswered, // unanswered sends count as errors
      errorCodes: unanswered > 0 ? { ...errorCodes, unanswered } : errorCodes,
      delivered: this.counts.delivered,
      lost,
      duplicated: this.counts.duplicated,
      outOfOrder: this.counts.outOfOrder,
      seqOutOfOrder: this.counts.seqOutOfOrder,
      maxSendLagMs: Math.round(maxLag * 10) / 10,
      cpu: Math.round(((cpuUsed.user + cpuUsed.system) / 1000 / (sentAt - start + 5)) * 100) / 100,
      ackHistogram: hdr.encodeIntoCompressedBase64(this.ack),
      deliverHistogram: hdr.encodeIntoCompressedBase64(this.deliver),
    };
    this.step = -1;
    return result;
  }
}

export interface MergedStep extends StepCounts {
  rate: number;
  errorCodes: ErrorCodes;
  ack: { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };
  deliver: { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };
  /** Delivered messages per second over the step. */
  deliveredPerSecond: number;
}

function percentiles(h: Histogram): MergedStep["ack"] {
  const ms = (v: number) => Math.round(v) / 1000;
  return {
    p50Ms: ms(h.getValueAtPercentile(50)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
  };
}

/** Merges one step's results from several generators. */
export function mergeSteps(rate: number, durationMs: number, parts: StepResult[]): MergedStep {
  const ack = histogram();
  const deliver = histogram();
  const sum = (k: keyof StepCounts) => parts.reduce((a, p) => a + p[k], 0);
  for (const p of parts) {
    const a = hdr.decodeFromCompressedBase64(p.ackHistogram);
    const d = hdr.decodeFromCompressedBase64(p.deliverHistogram);
    ack.add(a);
    deliver.add(d);
    a.destroy();
    d.destroy();
  }
  const errorCodes: ErrorCodes = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errorCodes)) errorCodes[k] = (errorCodes[k] ?? 0) + v;
  const merged: MergedStep = {
    rate,
    errorCodes,
    scheduled: sum("scheduled"),
    acked: sum("acked"),
    errors: sum("errors"),
    delivered: sum("delivered"),
    lost: sum("lost"),
    duplicated: sum("duplicated"),
    outOfOrder: sum("outOfOrder"),
    seqOutOfOrder: sum("seqOutOfOrder"),
    maxSendLagMs: Math.max(...parts.map((p) => p.maxSendLagMs)),
    cpu: Math.max(...parts.map((p) => p.cpu)),
    ack: percentiles(ack),
    deliver: percentiles(deliver),
    deliveredPerSecond: Math.round((sum("delivered") / durationMs) * 1000),
  };
  ack.destroy();
  deliver.destroy();
  return merged;
}
