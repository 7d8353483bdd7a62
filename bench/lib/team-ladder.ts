import hdr from "hdr-histogram-js";
import { readCpuMs } from "./node-under-test.ts";

/**
 * The team and super team scenarios' ladder, shared by Nimbus and the bare relay so both are
 * measured the same way: teams of `members`, senders picked among each team's members, message i due at start +
 * i/rate (open loop, latency from then), each delivered to every member but its sender.
 */

export interface TeamStep {
  rate: number;
  scheduled: number;
  errors: number;
  expected: number;
  delivered: number;
  duplicated: number;
  outOfOrder: number;
  ackP99Ms: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  deliveriesPerSecond: number;
  serverCpu: number;
  /** CPU of this process (the lean clients and the senders), in cores. */
  clientsCpu: number;
}

/** A step holds at p99 ≤ `p99BudgetMs` (teams 100 ms, super teams 200) with nothing lost, duplicated or out of order. */
export function held(s: TeamStep, p99BudgetMs = 100): boolean {
  return s.p99Ms <= p99BudgetMs && s.errors === 0 && s.duplicated === 0 && s.outOfOrder === 0 && s.delivered === s.expected;
}

/** What a ladder drives: `teams` teams of `members` devices, and the server whose CPU is read. */
export interface TeamFleet {
  readonly teams: number;
  readonly members: number;
  readonly serverPid: number;
  /** Member `member` of team `team` sends `text`; resolves on the server's ack. */
  send(team: number, member: number, text: string, clientId: string): Promise<unknown>;
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

/** Counts deliveries per step; a fleet calls `delivered` for every message any device receives. */
export class TeamTracker {
  private step = 0;
  private current:
    { sentAt: Map<number, number>; got: Map<number, number>; hist: ReturnType<typeof histogram>; dup: number; ooo: number } | undefined;
  private readonly lastSeq = new Map<string, number>();

  constructor(private readonly members: number) {}

  /**
   * `receiver` got `text` in `conv`; `seq` when the server numbers messages (checked to grow per
   * receiver and conversation; the relay numbers nothing).
   */
  delivered(receiver: string, conv: string, seq: number | undefined, text: string): void {
    if (seq !== undefined) {
      const key = `${receiver}\u0000${conv}`;
      if ((this.lastSeq.get(key) ?? 0) >= seq) {
        if (this.current) this.current.ooo++;
      } else this.lastSeq.set(key, seq);
    }
    const [s, i] = text.split(":").map(Number);
    const current = this.current;
    if (!current || s !== this.step || i === undefined) return;
    const sentAt = current.sentAt.get(i);
    if (sentAt === undefined) return;
    const n = (current.got.get(i) ?? 0) + 1;
    current.got.set(i, n);
    if (n > this.members - 1) current.dup++;
    current.hist.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
  }

  /** Runs one step at `rate` messages/s for `durationMs`, then waits `drainMs` for deliveries. */
  async run(fleet: TeamFleet, rate: number, durationMs: number, drainMs: number): Promise<TeamStep> {
    this.step++;
    const step = this.step;
    const sentAt = new Map<number, number>();
    const current = { sentAt, got: new Map<number, number>(), hist: histogram(), dup: 0, ooo: 0 };
    this.current = current;
    const total = Math.round((rate * durationMs) / 1000);
    const ackHist = histogram();
    let errors = 0;
    const cpu0 = readCpuMs(fleet.serverPid);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sentAt.set(i, due);
      sends.push(
        fleet
          .send(i % fleet.teams, (i * 7919) % fleet.members, `${step}:${i}`, `b${step}-${i}`)
          .then(() => ackHist.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000))))
          .catch(() => errors++),
      );
    }
    await Promise.all(sends);
    await new Promise((r) => setTimeout(r, drainMs));
    const elapsed = performance.now() - t0;
    const delivered = [...current.got.values()].reduce((a, n) => a + Math.min(n, this.members - 1), 0);
    const h = current.hist;
    const own = process.cpuUsage(own0);
    return {
      rate,
      scheduled: total,
      errors,
      expected: total * (this.members - 1),
      delivered,
      duplicated: current.dup,
      outOfOrder: current.ooo,
      ackP99Ms: Math.round(ackHist.getValueAtPercentile(99) / 100) / 10,
      p50Ms: Math.round(h.getValueAtPercentile(50) / 100) / 10,
      p99Ms: Math.round(h.getValueAtPercentile(99) / 100) / 10,
      maxMs: Math.round(h.maxValue / 100) / 10,
      deliveriesPerSecond: Math.round(delivered / (durationMs / 1000)),
      serverCpu: Math.round(((readCpuMs(fleet.serverPid) - cpu0) / elapsed) * 100) / 100,
      clientsCpu: Math.round(((own.user + own.system) / 1000 / elapsed) * 100) / 100,
    };
  }

  /** Steps up through `rates` until a step does not hold; answers every step run. */
  async climb(
    label: string,
    fleet: TeamFleet,
    rates: number[],
    durationMs: number,
    drainMs: number,
    p99BudgetMs = 100,
  ): Promise<TeamStep[]> {
    const steps: TeamStep[] = [];
    for (const rate of rates) {
      const s = await this.run(fleet, rate, durationMs, drainMs);
      steps.push(s);
      console.error(
        `${label} ${rate} msgs/s: ${s.deliveriesPerSecond} deliveries/s, ack p99 ${s.ackP99Ms} ms, deliver p50 ${s.p50Ms} p99 ${s.p99Ms} max ${s.maxMs} ms, ` +
          `delivered ${s.delivered}/${s.expected}, errors ${s.errors}, dup ${s.duplicated}, ooo ${s.outOfOrder}, server cpu ${s.serverCpu}, clients cpu ${s.clientsCpu}`,
      );
      if (!held(s, p99BudgetMs)) break;
    }
    return steps;
  }
}
