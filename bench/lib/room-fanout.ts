/**
 * The chat room fan-out harness shared by `chatroom` and `peers-chatroom`: members held by
 * generator processes (bench/room-generator.ts), a publisher in the harness stepping its rate up,
 * and per step the deliveries/s, publish→deliver latency (sampled members), and what is missing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EnterCommand, FromGenerator } from "../room-generator.ts";

/** Members one generator process holds: well under the open-files limit, and a share of a core. */
export const MEMBERS_PER_GENERATOR = 5000;

/** One room-generator process, driven over IPC. */
export class RoomGenerator {
  private readonly child: ChildProcess;
  private readonly waiters: ((m: FromGenerator) => void)[] = [];
  private readonly exited: Promise<void>;

  constructor(readonly index: number) {
    const entry = join(import.meta.dirname, "..", "room-generator.ts");
    // Through bash so the open-files limit is raised to the hard limit; `exec` keeps the IPC fd.
    this.child = spawn("bash", ["-c", `ulimit -n $(ulimit -Hn); exec "${process.execPath}" --import tsx "${entry}"`], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (m: FromGenerator) => {
      if (m.t === "fatal") console.error(`room generator ${index}: ${m.error}`);
      this.waiters.shift()?.(m);
    });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  private ask<T extends FromGenerator["t"]>(msg: object, expect: T): Promise<Extract<FromGenerator, { t: T }>> {
    return new Promise((resolve, reject) => {
      this.waiters.push((m) =>
        m.t === expect
          ? resolve(m as Extract<FromGenerator, { t: T }>)
          : reject(new Error(`room generator ${this.index}: ${JSON.stringify(m)}`)),
      );
      this.child.send(msg);
    });
  }

  enter(c: EnterCommand): Promise<Extract<FromGenerator, { t: "entered" }>> {
    return this.ask({ t: "enter", ...c }, "entered");
  }

  reset(): Promise<unknown> {
    return this.ask({ t: "reset" }, "ok");
  }

  collect(): Promise<Extract<FromGenerator, { t: "counts" }>> {
    return this.ask({ t: "collect" }, "counts");
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.send({ t: "close" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The open-files limit of this process (node children inherit it): `Max open files` soft limit. */
export function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return !m || m[1] === "unlimited" ? Infinity : Number(m[1]);
}

/**
 * Fails loudly when a server process could not hold `members` sockets: the server under test
 * inherits this process's limit (raise it with `ulimit -n` before `npm run bench`).
 */
export function requireOpenFiles(members: number): void {
  const limit = openFilesLimit();
  if (members + 1000 > limit) {
    throw new Error(
      `${members} members need more open files than this shell allows (ulimit -n ${limit}): run \`ulimit -n ${members + 4096}\` ` +
        `(as root, or raise the hard limit) and start the bench again`,
    );
  }
}

/** Splits members over generators (member i to generator i % n), keeping each member's index. */
export function spread<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]!.push(item));
  return out;
}

/** A step is drained once no delivery arrived for this long, */
const DRAIN_QUIET_MS = 1000;
/** or this long after its last publish was due. */
const DRAIN_MAX_MS = 30_000;

function sumReceived(counts: { received: number }[]): number {
  return counts.reduce((n, c) => n + c.received, 0);
}

export interface FanoutStep {
  /** Publishes per second offered, all rooms together. */
  rate: number;
  published: number;
  /** Publishes refused or failed (not counted as expected deliveries). */
  publishErrors: number;
  delivered: number;
  elapsedS: number;
  latencies: number[];
}

/** A payload of `bytes` starting with the publish time: `<ms>.<k>|xxxx…` (the generators read the ms). */
export function payload(k: number, bytes: number): string {
  const head = `${Date.now()}.${k}|`;
  return head.length >= bytes ? head : head + "x".repeat(bytes - head.length);
}

/**
 * One step: `publish(k)` called at `rate` a second for `seconds` (open loop: a slow answer does not
 * slow the schedule), then `drainMs` for the last deliveries; counts from every generator.
 */
export async function fanoutStep(
  gens: RoomGenerator[],
  rate: number,
  seconds: number,
  drainMs: number,
  publish: (k: number) => Promise<unknown>,
): Promise<FanoutStep> {
  await Promise.all(gens.map((g) => g.reset()));
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  let publishErrors = 0;
  for (let k = 0; k < total; k++) {
    const wait = started + (k * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(
      publish(k).catch(() => {
        publishErrors++;
      }),
    );
  }
  await Promise.all(sends);
  // Drained when the count stops moving (at least drainMs, at most DRAIN_MAX_MS): a server that fell
  // behind is still delivering, and what it delivers late is late, not lost.
  await new Promise((r) => setTimeout(r, drainMs));
  let counts = await Promise.all(gens.map((g) => g.collect()));
  let lastProgress = performance.now();
  for (
    let sum = sumReceived(counts);
    performance.now() - lastProgress < DRAIN_QUIET_MS && performance.now() - started < seconds * 1000 + DRAIN_MAX_MS;
  ) {
    await new Promise((r) => setTimeout(r, 250));
    counts = await Promise.all(gens.map((g) => g.collect()));
    if (sumReceived(counts) !== sum) {
      sum = sumReceived(counts);
      lastProgress = performance.now();
    }
  }
  // Up to the last delivery seen (the quiet second after it is not the server's time).
  const elapsedS = (lastProgress - started) / 1000;
  const latencies = counts.flatMap((c) => c.latencies).sort((a, b) => a - b);
  return {
    rate,
    published: total - publishErrors,
    publishErrors,
    delivered: counts.reduce((n, c) => n + c.received, 0),
    elapsedS,
    latencies,
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Enters every member through `gens` (each its share); the slowest generator's time. */
export async function enterAll(
  gens: RoomGenerator[],
  base: Omit<EnterCommand, "members" | "firstId" | "tokens">,
  members: { accid?: string; token?: string }[],
  firstId = 1,
): Promise<{ ms: number; ok: number; errors: number; firstError?: string }> {
  const shares = spread(
    members.map((m, i) => ({ m, i })),
    gens.length,
  );
  const answers = await Promise.all(
    gens.map((g, gi) =>
      g.enter({
        ...base,
        members: shares[gi]!.map((s) => s.m),
        firstId: firstId + gi * 1_000_000,
      }),
    ),
  );
  const firstError = answers.find((a) => a.firstError !== undefined)?.firstError;
  return {
    ms: Math.max(...answers.map((a) => a.ms)),
    ok: answers.reduce((n, a) => n + a.ok, 0),
    errors: answers.reduce((n, a) => n + a.errors, 0),
    ...(firstError !== undefined && { firstError }),
  };
}
