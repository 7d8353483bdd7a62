import type { StoreUnavailableError } from "./errors.ts";
import type { WriterApi, WriterData, WriterOp } from "./sqlite-writer-api.ts";
import { WriterClient } from "./sqlite-writer-client.ts";

/** How soon a dead writer thread is started again: the first delay, doubled per restart up to the last. */
export interface WriterRestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
}

export const defaultWriterRestartPolicy: WriterRestartPolicy = { firstDelayMs: 500, maxDelayMs: 30_000 };

/** A thread that ran this long before it died was healthy: it is started again after the first delay. */
const HEALTHY_RUN_MS = 60_000;

/**
 * The delays between a writer thread's restarts: doubling with each restart, so a thread that
 * dies again at once (or cannot start) is not started in a tight loop, and back to the first once
 * a thread has run for HEALTHY_RUN_MS.
 */
export class RestartBackoff {
  private delayMs: number;
  private startedAt: number;

  constructor(
    private readonly policy: WriterRestartPolicy,
    now = Date.now(),
  ) {
    this.delayMs = policy.firstDelayMs;
    this.startedAt = now;
  }

  /** A thread started (and opened the database) at `now`. */
  started(now = Date.now()): void {
    this.startedAt = now;
  }

  /** How long to wait before the next start, the last thread having died (or failed to start) at `now`. */
  next(now = Date.now()): number {
    if (now - this.startedAt >= HEALTHY_RUN_MS) this.delayMs = this.policy.firstDelayMs;
    // Until a thread starts again, what fails is a start: no run of a thread to count.
    this.startedAt = Number.POSITIVE_INFINITY;
    const delay = this.delayMs;
    this.delayMs = Math.min(delay * 2, this.policy.maxDelayMs);
    return delay;
  }
}

/** What the threaded store's parts need of the writer. */
export interface WriterCalls {
  call<K extends WriterOp>(op: K, ...args: Parameters<WriterApi[K]>): Promise<ReturnType<WriterApi[K]>>;
}

/**
 * Keeps the SQLite writer thread running: when it fails or exits, calls fail with
 * StoreUnavailableError (as they did in flight), and a new thread is started on the same file after
 * a delay (RestartBackoff). Writes whose thread died are of unknown outcome (committed or not);
 * the store's fencing settles that, as after any failed write: an actor whose save failed reloads,
 * a session whose append failed re-reads its journal.
 */
export class SupervisedWriter implements WriterCalls {
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly backoff: RestartBackoff;
  private closed = false;

  private constructor(
    private client: WriterClient,
    private readonly data: WriterData,
    private readonly entry: URL | undefined,
    policy: WriterRestartPolicy,
  ) {
    this.backoff = new RestartBackoff(policy);
    this.watch(client);
  }

  static async start(data: WriterData, entry: URL | undefined, policy = defaultWriterRestartPolicy): Promise<SupervisedWriter> {
    return new SupervisedWriter(await WriterClient.start(data, entry), data, entry, policy);
  }

  /** Why writes fail now, or null while the thread runs. */
  get failed(): StoreUnavailableError | null {
    return this.client.failed;
  }

  call<K extends WriterOp>(op: K, ...args: Parameters<WriterApi[K]>): Promise<ReturnType<WriterApi[K]>> {
    return this.client.call(op, ...args);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.client.close();
  }

  private watch(client: WriterClient): void {
    client.whenFailed(() => this.scheduleRestart());
  }

  private scheduleRestart(): void {
    if (this.closed || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, this.backoff.next());
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (this.closed) return;
    let next: WriterClient;
    try {
      next = await WriterClient.start(this.data, this.entry);
    } catch {
      // The old client's failure still answers every call; try again, later.
      this.scheduleRestart();
      return;
    }
    if (this.closed) {
      await next.close();
      return;
    }
    this.client = next;
    this.backoff.started();
    this.watch(next);
  }
}
