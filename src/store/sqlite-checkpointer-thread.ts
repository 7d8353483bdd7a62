/**
 * The WAL checkpointer thread, started by the SQLite writer thread: a round every `intervalMs` on a
 * connection of its own (see WalCheckpointer). It posts "ready" once its connection is open. Any
 * failure ends the thread; the writer then turns its own automatic checkpoints back on.
 */
import { parentPort, workerData } from "node:worker_threads";
import { WalCheckpointer, type CheckpointerData } from "./sqlite-checkpointer.ts";

const { path, busyTimeoutMs, policy } = (workerData as { data: CheckpointerData }).data;
const checkpointer = new WalCheckpointer(path, policy, busyTimeoutMs);
setInterval(() => checkpointer.round(), policy.intervalMs);
parentPort!.postMessage("ready");
