/**
 * The other node of the actors benchmark, in its own process: an actor system on NATS hosting
 * echo actors, plus a raw NATS echo for the baseline. Prints "ready" when it serves.
 */
import { join } from "node:path";
import { pino } from "pino";
import { connectNatsBus } from "../src/bus/mod.ts";
import { openStore } from "../src/store/mod.ts";
import { ActorSystem, BusMembership } from "../src/runtime/mod.ts";
import { EchoActor } from "./echo-actor.ts";

const [natsUrl, prefix, dir] = process.argv.slice(2) as [string, string, string];
const bus = await connectNatsBus({ url: natsUrl, name: "bench-peer", prefix });
const store = await openStore({ kind: "sqlite", path: join(dir, "peer.db") });
const membership = new BusMembership({ nodeId: "peer", address: "127.0.0.1:0", startedAt: Date.now() }, bus, 250, 1500);
const system = new ActorSystem({
  store,
  bus,
  membership,
  log: pino({ level: "silent" }),
  mailboxCapacity: 10_000,
  askTimeoutMs: 5000,
  idlePassivateMs: 600_000,
});
system.register("echo", (ctx) => new EchoActor(ctx));
await system.start();
bus.serve("bench.echo", (data) => data);
await membership.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => process.exit(0));
