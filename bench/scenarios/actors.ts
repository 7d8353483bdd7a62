import { spawn } from "node:child_process";
import { join } from "node:path";
import { pino } from "pino";
import { LocalBus, connectNatsBus } from "../../src/bus/mod.ts";
import { openStore } from "../../src/store/mod.ts";
import { ActorSystem, BusMembership, SingleNodeMembership, ownerOf } from "../../src/runtime/mod.ts";
import { encode } from "../../src/protocol/codec.ts";
import { findBinary, startNatsServer, tempDir } from "../../test/support/processes.ts";
import { closedLoop, closedLoopThroughput, type LatencySummary } from "../lib/measure.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import { EchoActor } from "../echo-actor.ts";

const silent = pino({ level: "silent" });
const payload = { op: "echo", text: "hello, actor", n: 42 };

function row(label: string, s: LatencySummary, baseline?: LatencySummary): BenchRow {
  return {
    label,
    "asks/s": s.perSecond,
    "p50 ms": s.p50Ms.toFixed(3),
    "p99 ms": s.p99Ms.toFixed(3),
    "max ms": s.maxMs.toFixed(1),
    errors: s.errors,
    "× baseline": baseline ? (s.perSecond / baseline.perSecond).toFixed(2) : "",
  };
}

/**
 * `actors`: ask round trips through the runtime — in one process, and to an actor on a second
 * node process over NATS — beside raw NATS request/reply between the same two processes.
 */
export async function runActors(quick: boolean): Promise<BenchResult> {
  const loop = { concurrency: 64, durationMs: quick ? 2000 : 8000, warmupMs: quick ? 500 : 2000 };
  const dir = tempDir("bench-actors");

  // In-process: a local bus and a single member; every ask is a mailbox turn on this node.
  const localStore = await openStore({ kind: "sqlite", path: join(dir, "local.db") });
  const local = new ActorSystem({
    store: localStore,
    bus: new LocalBus(),
    membership: new SingleNodeMembership({ nodeId: "solo", address: "127.0.0.1:0", startedAt: Date.now() }),
    log: silent,
    mailboxCapacity: 10_000,
    askTimeoutMs: 5000,
    idlePassivateMs: 600_000,
  });
  local.register("echo", (ctx) => new EchoActor(ctx));
  await local.start();
  let i = 0;
  const inProcess = await closedLoop(() => local.ask(`echo/bench/a${i++ % 256}`, payload), loop);
  const inProcessCounted = await closedLoopThroughput(() => local.ask(`echo/bench/a${i++ % 256}`, payload), loop);
  await local.drain();
  await localStore.close();

  // Two processes over a real nats-server.
  const natsBin = findBinary("nats-server");
  if (!natsBin) throw new Error("the actors benchmark needs nats-server on PATH");
  const nats = await startNatsServer(natsBin);
  const prefix = "benchactors";
  const peer = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "actors-peer.ts"), nats.url, prefix, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    peer.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    peer.once("exit", (code) => reject(new Error(`bench peer exited with ${code}`)));
  });
  const bus = await connectNatsBus({ url: nats.url, name: "bench-driver", prefix });
  const store = await openStore({ kind: "sqlite", path: join(dir, "driver.db") });
  const membership = new BusMembership({ nodeId: "driver", address: "127.0.0.1:0", startedAt: Date.now() }, bus, 250, 1500);
  const driver = new ActorSystem({
    store,
    bus,
    membership,
    log: silent,
    mailboxCapacity: 10_000,
    askTimeoutMs: 5000,
    idlePassivateMs: 600_000,
  });
  driver.register("echo", (ctx) => new EchoActor(ctx));
  await driver.start();
  await membership.start();
  while (membership.members().length < 2) await new Promise((r) => setTimeout(r, 50));
  const remoteTargets = Array.from({ length: 4096 }, (_, k) => `echo/bench/r${k}`)
    .filter((a) => ownerOf(a, membership.members()) === "peer")
    .slice(0, 256);

  const body = encode(payload);
  const rawNats = await closedLoop(() => bus.request("bench.echo", body, { timeoutMs: 5000 }), loop);
  let j = 0;
  const crossNode = await closedLoop(() => driver.ask(remoteTargets[j++ % remoteTargets.length]!, payload), loop);

  await membership.leave();
  await driver.drain();
  await bus.close();
  await store.close();
  peer.kill("SIGTERM");
  await nats.stop();

  return {
    scenario: "actors",
    note:
      `Closed loop, ${loop.concurrency} asks in flight, ${loop.durationMs / 1000} s after ${loop.warmupMs / 1000} s warm-up; echo actors (no persistence), ` +
      "256 actors per case; the counted-only row reads no clock per ask (the timed rows pay for two clock reads and a histogram entry each). Cross-node: driver and peer are separate processes on one nats-server, all on loopback; the baseline is raw NATS request/reply between the same two processes.",
    rows: [
      row("raw NATS request/reply (baseline)", rawNats),
      row("actor ask, in-process", inProcess),
      {
        label: "actor ask, in-process, counted only (no per-ask timing)",
        "asks/s": inProcessCounted.perSecond,
        "p50 ms": "",
        "p99 ms": "",
        "max ms": "",
        errors: inProcessCounted.errors,
        "× baseline": "",
      },
      row("actor ask, across two nodes (NATS)", crossNode, rawNats),
    ],
  };
}
