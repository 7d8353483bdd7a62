/**
 * The SQLite writer thread (started by sqlite-threaded.ts): it owns the database's only writing
 * connection and runs every write the main thread sends it, in arrival order, except that the
 * journal appends of what it takes at once go first, together (appendTogether). WAL checkpoints run
 * on a thread of their own that this one starts (sqlite-checkpointer.ts).
 */
import { parentPort, receiveMessageOnPort, workerData, type Worker } from "node:worker_threads";
import type { ItemResult } from "./batcher.ts";
import type { AppendEntry } from "./port.ts";
import { SqliteStore } from "./sqlite.ts";
import type { FromWriter, ToWriter, WireItemResult, WriterApi, WriterData, WriterOp } from "./sqlite-writer-api.ts";
import { toWireError } from "./wire-errors.ts";
import { TickQueue } from "../util/tick-queue.ts";
import { startWorker } from "../util/worker.ts";
import { defaultCheckpointPolicy, type CheckpointerData } from "./sqlite-checkpointer.ts";

/** SQLite's own wal_autocheckpoint default, in pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** Every op but appends, which go through appendTogether. */
type Handlers = {
  [K in Exclude<WriterOp, "journal.appendEach">]: (...args: Parameters<WriterApi[K]>) => Promise<ReturnType<WriterApi[K]>>;
};

function wireResults<O>(results: readonly ItemResult<O>[]): WireItemResult<O>[] {
  return results.map((r) => (r.ok ? r : { ok: false, error: toWireError(r.error) }));
}

const port = parentPort!;
const { path, busyTimeoutMs } = (workerData as { data: WriterData }).data;
const replies = new TickQueue<FromWriter>((batch) => port.postMessage(batch));
const reply = (m: FromWriter) => replies.push(m);

let store: SqliteStore;
try {
  store = new SqliteStore(path, { busyTimeoutMs });
} catch (err) {
  port.postMessage([{ id: 0, ok: false, error: toWireError(err) }] satisfies FromWriter[]);
  throw err;
}
const { journal, snapshots, outbox, sequences, nonces } = store;
let closing = false;
const checkpointer = startCheckpointer();

const handlers: Handlers = {
  "journal.updateFlags": (conversation, seq, set, clear) => journal.updateFlags(conversation, seq, set, clear),
  "journal.purgeExpired": (now) => journal.purgeExpired(now),
  "snapshots.save": (kind, key, state, expectedVersion) => snapshots.save(kind, key, state, expectedVersion),
  "snapshots.delete": (kind, key) => snapshots.delete(kind, key),
  "outbox.enqueue": (topic, payloads, availableAt) => outbox.enqueue(topic, payloads, availableAt),
  "outbox.lease": (topic, max, leaseMs, now) => outbox.lease(topic, max, leaseMs, now),
  "outbox.ack": (ids) => outbox.ack(ids),
  "outbox.retry": (id, retryAt) => outbox.retry(id, retryAt),
  "sequences.reserve": (name, count) => sequences.reserve(name, count),
  "nonces.claim": (key, expireAt) => nonces.claim(key, expireAt),
  "nonces.purgeExpired": (now) => nonces.purgeExpired(now),
};

port.on("message", (batch: ToWriter[]) => {
  // What queued up behind this message while the last commit ran is taken now too. Its appends join
  // this commit instead of each message committing on its own, and no answer waits for the commits
  // of the messages after it (Node runs a port's queued messages before the loop moves on).
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    // A loop, not push(...spread): one message may hold more calls than a call may take arguments.
    for (const m of next.message as ToWriter[]) batch.push(m);
  }
  const appends = batch.filter((m): m is AppendCall => m.op === "journal.appendEach");
  if (appends.length > 0) appendTogether(appends);
  for (const m of batch) if (m.op !== "journal.appendEach") serve(m);
});

type AppendCall = { id: number; op: "journal.appendEach"; args: [entries: AppendEntry[]] };

/**
 * The journal appends of the messages taken together (many conversations, one or more turns of the
 * main thread) commit as one transaction: one WAL commit instead of one each. Each call still gets
 * only its own results, posted as soon as the commit is done rather than at the end of this turn.
 * Ahead of the messages' other writes: those belong to other actors, which wait for their answers
 * before they write again, so nothing they wrote can depend on an append taken ahead of it.
 */
function appendTogether(calls: AppendCall[]): void {
  const entries = calls.flatMap((c) => c.args[0]);
  journal.appendEach(entries).then(
    (results) => {
      let at = 0;
      const answers = calls.map((c): FromWriter => {
        const n = c.args[0].length;
        at += n;
        return { id: c.id, ok: true, value: wireResults(results.slice(at - n, at)) };
      });
      port.postMessage(answers);
    },
    (err: unknown) => port.postMessage(calls.map((c): FromWriter => ({ id: c.id, ok: false, error: toWireError(err) }))),
  );
}

/** Runs one call; every call starts in a microtask of its own, so calls start in arrival order (close last). */
function serve(m: ToWriter): void {
  Promise.resolve()
    .then(() => {
      if (m.op === "close") {
        closing = true;
        return checkpointer.terminate().then(() => store.close().then(() => null));
      }
      const handler = handlers[m.op as keyof Handlers] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      if (!handler) throw new Error(`unknown writer op ${String(m.op)}`);
      return handler(...m.args);
    })
    .then(
      (value) => reply({ id: m.id, ok: true, value }),
      (err: unknown) => reply({ id: m.id, ok: false, error: toWireError(err) }),
    );
}

/**
 * Checkpoints move to a thread of their own (sqlite-checkpointer.ts) once it is up; if it ever
 * ends, this connection checkpoints by itself again, as SQLite does by default.
 */
function startCheckpointer(): Worker {
  const data: CheckpointerData = { path, busyTimeoutMs, policy: defaultCheckpointPolicy };
  const worker = startWorker(new URL("./sqlite-checkpointer-thread.ts", import.meta.url), data, "nimbus-sqlite-checkpointer");
  worker.once("message", () => store.autoCheckpoint(0));
  worker.on("error", () => undefined);
  worker.once("exit", () => closing || store.autoCheckpoint(SQLITE_DEFAULT_AUTOCHECKPOINT));
  return worker;
}

port.postMessage([{ id: 0, ok: true, value: null }] satisfies FromWriter[]);
