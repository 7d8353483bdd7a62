/**
 * Bench-only entry for a node under test: `src/main.ts` plus a tiny probe server on
 * NIMBUS_BENCH_PROBE_PORT whose `GET /memory` runs a full GC first and answers process.memoryUsage().
 * GC is exposed through V8's flag at run time, so the node is started exactly as `npm start` does.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Session } from "node:inspector";
import { join } from "node:path";
import { setFlagsFromString, writeHeapSnapshot } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

// BENCH_CPU_PROF=<dir>: V8 CPU profiles of the node's main thread (--cpu-prof itself is not
// allowed in NODE_OPTIONS; an in-thread session answers synchronously). The harness asks for one
// per load step over the probe (`/profile/start`, `/profile/stop?name=<file>`); whatever is not
// covered by a step (startup, logins) goes to node-<pid>.cpuprofile when the node exits.
const profDir = process.env.BENCH_CPU_PROF;
const profiler = profDir ? new Session() : null;
if (profiler && profDir) {
  profiler.connect();
  profiler.post("Profiler.enable");
  profiler.post("Profiler.start");
  process.on("exit", () => stopProfile(`node-${process.pid}.cpuprofile`));
}

// BENCH_HEAP_PROF (with BENCH_CPU_PROF): beside each CPU profile, a sampled allocation profile of
// the same span. `1`: every allocation, collected or not (where the young generation's work comes
// from); `live`: only what is still in the heap at the end (what got promoted and waits for a major GC).
const heapProf = profiler !== null && (process.env.BENCH_HEAP_PROF === "1" || process.env.BENCH_HEAP_PROF === "live");
const heapSampling =
  process.env.BENCH_HEAP_PROF === "live"
    ? { samplingInterval: 8192 }
    : { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
if (heapProf) profiler.post("HeapProfiler.startSampling", heapSampling);

function stopProfile(name: string): void {
  const file = name.replace(/[^\w.-]/g, "_");
  profiler?.post("Profiler.stop", (err, res) => {
    if (!err && profDir) writeFileSync(join(profDir, file), JSON.stringify(res.profile));
  });
  if (heapProf) {
    profiler.post("HeapProfiler.stopSampling", (err, res) => {
      if (!err && profDir) writeFileSync(join(profDir, `${file}.heapprofile`), JSON.stringify(res.profile));
    });
  }
}

function startProfile(): void {
  profiler?.post("Profiler.start");
  if (heapProf) profiler.post("HeapProfiler.startSampling", heapSampling);
}

const probePort = Number(process.env.NIMBUS_BENCH_PROBE_PORT);
if (probePort > 0) {
  createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://probe");
    if (url.pathname === "/memory") {
      gc();
      gc();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(process.memoryUsage()));
    } else if (url.pathname === "/heap-snapshot") {
      // Where per-connection memory goes: a full heap snapshot to the file named (bench/chatroom-memory.ts).
      gc();
      res.end(writeHeapSnapshot(url.searchParams.get("file") ?? undefined));
    } else if (url.pathname === "/profile/start" || url.pathname === "/profile/stop") {
      // Stopping writes what was gathered since the last start; starting again begins afresh.
      stopProfile(url.searchParams.get("name") ?? `node-${process.pid}-${Date.now()}.cpuprofile`);
      if (url.pathname === "/profile/start") startProfile();
      res.end();
    } else {
      res.statusCode = 404;
      res.end();
    }
  }).listen(probePort, "127.0.0.1");
}

await import("../src/main.ts");
