import { join } from "node:path";
import { pino } from "pino";
import { LocalBus } from "../../src/bus/mod.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { ActorSystem, SingleNodeMembership, type ActorSystemOptions } from "../../src/runtime/mod.ts";
import { CounterActor } from "../fixtures/test-actors.ts";
import { tempDir } from "./processes.ts";

export interface TestSystem {
  system: ActorSystem;
  store: Store;
  close(): Promise<void>;
}

/** One real actor system on a real SQLite file, a local bus and a one-member cluster. */
export async function startTestSystem(
  overrides: Partial<Pick<ActorSystemOptions, "mailboxCapacity" | "askTimeoutMs" | "idlePassivateMs">> & {
    store?: Store;
    nodeId?: string;
  } = {},
): Promise<TestSystem> {
  const store = overrides.store ?? (await openStore({ kind: "sqlite", path: join(tempDir("runtime"), "nimbus.db") }));
  const bus = new LocalBus();
  const system = new ActorSystem({
    store,
    bus,
    membership: new SingleNodeMembership({ nodeId: overrides.nodeId ?? "n1", address: "127.0.0.1:0", startedAt: Date.now() }),
    log: pino({ level: "silent" }),
    mailboxCapacity: overrides.mailboxCapacity ?? 1000,
    askTimeoutMs: overrides.askTimeoutMs ?? 5000,
    idlePassivateMs: overrides.idlePassivateMs ?? 60_000,
  });
  system.register("counter", (ctx) => new CounterActor(ctx));
  await system.start();
  return {
    system,
    store,
    async close() {
      await system.drain();
      await bus.close();
      if (!overrides.store) await store.close();
    },
  };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
