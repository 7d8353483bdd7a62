// The first module of every Nimbus worker thread. Node 20 does not apply the parent's module
// hooks to a worker's entry, so a worker whose code is TypeScript (run under tsx, as `npm start`
// and the tests do) registers tsx here before importing it; compiled JavaScript skips that.
import { workerData } from "node:worker_threads";

const { entry } = workerData;
if (entry.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(entry);
