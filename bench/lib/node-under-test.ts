import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir } from "../../test/support/processes.ts";
import { spawnNode, type NodeProcess } from "../../test/support/node-process.ts";
import { signedCall, type NimResponse } from "../../test/support/nim-api.ts";
import { startDataSyncSink, type DataSyncSink } from "./datasync-sink.ts";

export const BENCH_APP_KEY = "benchapp";
export const BENCH_APP_SECRET = "bench-secret-0123456789";

export interface MemorySample {
  /** VmRSS from /proc, bytes. */
  rss: number;
  /** V8 heap in use after a forced full GC, bytes (from the probe). */
  heapUsed: number;
  external: number;
  /** V8 heap reserved (process.memoryUsage().heapTotal), bytes: what RSS holds for the heap, used or not. */
  heapTotal: number;
}

export interface NodeUnderTest {
  proc: NodeProcess;
  url: string;
  appKey: string;
  appSecret: string;
  pid: number;
  /** RSS from /proc/<pid>/status, bytes. */
  rss(): number;
  /** Full GC in the node, then RSS (`settleMs` later: freed pages go back to the OS some time after a GC) and heap. */
  memoryAfterGc(settleMs?: number): Promise<MemorySample>;
  /** Full GC, then a V8 heap snapshot written by the node to `file`. */
  heapSnapshot(file: string): Promise<void>;
  /** With BENCH_CPU_PROF set: CPU-profile the node from now until `stop` writes `<BENCH_CPU_PROF>/<name>`. */
  profileStart(): Promise<void>;
  profileStop(name: string): Promise<void>;
  call(path: string, params: Record<string, string>): Promise<NimResponse>;
  /** With data sync on: the events its local listener has received so far. */
  dataSyncReceived?(): number;
  stop(): Promise<void>;
}

export interface NodeUnderTestOptions {
  nodeId?: string;
  /** Extra NIMBUS_* environment, e.g. NIMBUS_NATS_URL / NIMBUS_MONGO_URL for a cluster. */
  env?: Record<string, string>;
  /** A data dir to share (several nodes on one SQLite file is not supported: give each its own). */
  dataDir?: string;
  /** Data sync on, to a local listener in this process; default: BENCH_DATASYNC=1. */
  dataSync?: boolean;
}

/**
 * CPU time a process has used so far (user + system), ms, from /proc/<pid>/stat (clock ticks of
 * 10 ms); with `mainThreadOnly`, only its main thread's (the event loop's), from /proc/<pid>/task/<pid>/stat.
 */
export function readCpuMs(pid: number, mainThreadOnly = false): number {
  const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * A Nimbus node as its own process (bench/nimbus-node.ts → src/main.ts), SQLite in a temp dir, a
 * fixed app, and the app's REST limit and the gateway's per-connection frame limit raised so the
 * harness measures the server rather than its limiters.
 */
export async function startNodeUnderTest(o: NodeUnderTestOptions = {}): Promise<NodeUnderTest> {
  const dataDir = o.dataDir ?? tempDir("bench-node");
  const configFile = join(dataDir, "bench-config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      gateway: { ratePerSecond: 1_000_000, rateBurst: 1_000_000, rateCloseAfterRefused: 1_000_000 },
      actors: { mailboxCapacity: 100_000 },
      apps: [{ appKey: BENCH_APP_KEY, appSecret: BENCH_APP_SECRET, limits: { requestsPerSecond: 1_000_000, chatroomAnonymous: true } }],
    }),
  );
  // BENCH_DATASYNC=1: data sync on, to a local listener in this process (README: App server hooks).
  const sink: DataSyncSink | undefined = (o.dataSync ?? process.env.BENCH_DATASYNC === "1") ? await startDataSyncSink() : undefined;
  // Picked again if the node has to be started again on fresh ports (spawnNode).
  let probePort = 0;
  const proc = await spawnNode(join(import.meta.dirname, "..", "nimbus-node.ts"), o.nodeId ?? "bench-node", async () => {
    probePort = await freePort();
    return {
      NIMBUS_CONFIG: configFile,
      NIMBUS_DATA_DIR: dataDir,
      NIMBUS_APP_KEY: BENCH_APP_KEY,
      NIMBUS_APP_SECRET: BENCH_APP_SECRET,
      NIMBUS_LOG_LEVEL: "warn",
      NIMBUS_BENCH_PROBE_PORT: String(probePort),
      // e.g. BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the node under test.
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...(sink ? { NIMBUS_DATASYNC_URL: sink.url } : {}),
      ...o.env,
    };
  });
  const pid = proc.child.pid!;
  const target = { url: proc.url, appKey: BENCH_APP_KEY, appSecret: BENCH_APP_SECRET };
  return {
    proc,
    url: proc.url,
    appKey: BENCH_APP_KEY,
    appSecret: BENCH_APP_SECRET,
    pid,
    rss: () => readRss(pid),
    async memoryAfterGc(settleMs = 0) {
      const res = await fetch(`http://127.0.0.1:${probePort}/memory`);
      const mem = (await res.json()) as NodeJS.MemoryUsage;
      if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
      return { rss: readRss(pid), heapUsed: mem.heapUsed, external: mem.external, heapTotal: mem.heapTotal };
    },
    async heapSnapshot(file) {
      await (await fetch(`http://127.0.0.1:${probePort}/heap-snapshot?file=${encodeURIComponent(file)}`)).text();
    },
    async profileStart() {
      if (process.env.BENCH_CPU_PROF)
        await fetch(`http://127.0.0.1:${probePort}/profile/start?name=${pid}-before-step-${Date.now()}.cpuprofile`);
    },
    async profileStop(name) {
      if (process.env.BENCH_CPU_PROF) await fetch(`http://127.0.0.1:${probePort}/profile/stop?name=${encodeURIComponent(name)}`);
    },
    call: (path, params) => signedCall(target, path, params),
    ...(sink && { dataSyncReceived: () => sink.received() }),
    async stop() {
      if (proc.child.exitCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(timer);
      if (sink) {
        console.log(`data sync: ${sink.received()} events received by the local listener`);
        await sink.close();
      }
    },
  };
}

export interface Account {
  accid: string;
  token: string;
}

/** Creates accounts over the REST API, `concurrency` calls at a time. */
export async function createAccounts(node: NodeUnderTest, accids: string[], concurrency = 16): Promise<Account[]> {
  const out: Account[] = new Array(accids.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= accids.length) return;
      const accid = accids[i]!;
      const r = await node.call("user/create", { accid });
      const info = r.info as { token?: string } | undefined;
      if (r.code !== 200 || !info?.token) throw new Error(`user/create ${accid}: ${JSON.stringify(r)}`);
      out[i] = { accid, token: info.token };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
