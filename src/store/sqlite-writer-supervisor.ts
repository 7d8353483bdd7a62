import type { StoreUnavailableError } from "./errors.ts";
import type { WriterApi, WriterData, WriterOp } from "./sqlite-writer-api.ts";
import { WriterClient } from "./sqlite-writer-client.ts";

/** How soon a dead writer thread is started again: the first delay, doubled per failure up to the last. */
export interface WriterRestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
}

export const defaultWriterRestartPolicy: WriterRestartPolicy = { firstDelayMs: 500, maxDelayMs: 30_000 };

/** What the threaded store's parts need of the writer. */
export interface WriterCalls {
  call<K extends WriterOp>(op: K, ...args: Parameters<WriterApi[K]>): Promise<ReturnType<WriterApi[K]>>;
}

/**
 * Keeps the SQLite writer thread running: when it fails or exits, calls fail with
 * StoreUnavailableError (as they did in flight), and a new thread is started on the same file after
 * a delay that doubles while starts keep failing. Writes whose thread died are of unknown outcome
 * (committed or not); the store's fencing settles that, as after any failed write: an actor whose
 * save failed reloads, a session whose append failed re-reads its journal. A thread that starts
 * and answers resets the delay.
 */
export class SupervisedWriter implements WriterCalls {
  private restartTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private closed = false;
  /** Starts so far, the first included: for tests and metrics. */
  starts = 1;

  private constructor(
    private client: WriterClient,
    private readonly data: WriterData,
    private readonly entry: URL | undefined,
    private readonly policy: WriterRestartPolicy,
  ) {
    this.delayMs = policy.firstDelayMs;
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
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.policy.maxDelayMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, delay);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (this.closed) return;
    this.starts++;
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
    this.delayMs = this.policy.firstDelayMs;
    this.watch(next);
  }
}
