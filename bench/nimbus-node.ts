/**
 * Bench-only entry for a node under test: `src/main.ts` plus a tiny probe server on
 * NIMBUS_BENCH_PROBE_PORT whose `GET /memory` runs a full GC first and answers process.memoryUsage().
 * GC is exposed through V8's flag at run time, so the node is started exactly as `npm start` does.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Session } from "node:inspector";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const probePort = Number(process.env.NIMBUS_BENCH_PROBE_PORT);
if (probePort > 0) {
  createServer((req, res) => {
    if (req.url === "/memory") {
      gc();
      gc();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(process.memoryUsage()));
    } else {
      res.statusCode = 404;
      res.end();
    }
  }).listen(probePort, "127.0.0.1");
}

// BENCH_CPU_PROF=<dir>: a V8 CPU profile of the whole run, written when the node exits
// (--cpu-prof itself is not allowed in NODE_OPTIONS). An in-thread session answers synchronously.
const profDir = process.env.BENCH_CPU_PROF;
if (profDir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (err, res) => {
      if (!err) writeFileSync(join(profDir, `node-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}

await import("../src/main.ts");
