import { Worker } from "node:worker_threads";

/**
 * Starts `entry` (a module URL, TypeScript or JavaScript) in a worker thread through
 * worker-boot.mjs; the worker reads `data` from `workerData.data`.
 */
export function startWorker(entry: URL, data: unknown, name: string): Worker {
  return new Worker(new URL("./worker-boot.mjs", import.meta.url), {
    workerData: { entry: entry.href, data },
    name,
  });
}
