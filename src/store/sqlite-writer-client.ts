import type { Worker } from "node:worker_threads";
import { TickQueue } from "../util/tick-queue.ts";
import { startWorker } from "../util/worker.ts";
import { StoreUnavailableError } from "./errors.ts";
import type { FromWriter, ToWriter, WriterApi, WriterData, WriterOp } from "./sqlite-writer-api.ts";
import { fromWireError } from "./wire-errors.ts";

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * The main thread's handle on the SQLite writer thread: `call` sends one write and resolves with
 * its result once committed. The calls of one turn of the event loop travel as one message; appends
 * are answered in the order they were sent, each as soon as its commit is done, and may be answered
 * before other writes sent earlier (sqlite-writer.ts). If the thread dies, every pending and later
 * call fails with StoreUnavailableError (the node keeps serving reads).
 */
export class WriterClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: StoreUnavailableError | null = null;
  private readonly outgoing: TickQueue<ToWriter>;
  private onFailed: ((err: StoreUnavailableError) => void) | undefined;

  private constructor(private readonly worker: Worker) {
    this.outgoing = new TickQueue((batch) => worker.postMessage(batch));
    worker.on("message", (batch: FromWriter[]) => {
      for (const m of batch) this.settle(m);
    });
    worker.on("error", (err) => this.fail(new StoreUnavailableError(`sqlite writer thread failed: ${err.message}`, { cause: err })));
    worker.on("exit", (code) => this.fail(new StoreUnavailableError(`sqlite writer thread exited (${code})`)));
  }

  /** Why every call fails now (the thread failed, exited or was closed), or null while it runs. */
  get failed(): StoreUnavailableError | null {
    return this.failure;
  }

  /** Called once if the thread fails or exits on its own (not after `close`). */
  whenFailed(callback: (err: StoreUnavailableError) => void): void {
    this.onFailed = callback;
  }

  /**
   * Starts the thread; resolves once it has opened the database (schema applied, WAL on). `entry`
   * is the thread's module: the writer, or in tests a stand-in that fails on purpose.
   */
  static start(data: WriterData, entry = new URL("./sqlite-writer.ts", import.meta.url)): Promise<WriterClient> {
    const worker = startWorker(entry, data, "nimbus-sqlite-writer");
    return new Promise((resolve, reject) => {
      const onOpen = ([m]: FromWriter[]) => {
        if (m?.id !== 0) return;
        cleanup();
        if (m.ok) resolve(new WriterClient(worker));
        else {
          reject(fromWireError(m.error));
          void worker.terminate();
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new StoreUnavailableError(`sqlite writer thread failed to start: ${err.message}`, { cause: err }));
      };
      const cleanup = () => {
        worker.off("message", onOpen);
        worker.off("error", onError);
      };
      worker.on("message", onOpen);
      worker.on("error", onError);
    });
  }

  call<K extends WriterOp>(op: K, ...args: Parameters<WriterApi[K]>): Promise<ReturnType<WriterApi[K]>> {
    return this.send({ id: this.nextId++, op, args }) as Promise<ReturnType<WriterApi[K]>>;
  }

  /** Waits for every write sent so far, closes the writer's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    await this.send({ id: this.nextId++, op: "close" });
    this.failure = new StoreUnavailableError("store closed");
    await this.worker.terminate();
  }

  private send(m: ToWriter): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(m.id, { resolve, reject });
      this.outgoing.push(m);
    });
  }

  private settle(m: FromWriter): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(fromWireError(m.error));
  }

  private fail(err: StoreUnavailableError): void {
    const first = this.failure === null;
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    if (first) this.onFailed?.(this.failure);
  }
}
