import { EventEmitter } from "node:events";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/mod.ts";
import { ActorSystem, type Membership, type MemberInfo } from "../../src/runtime/mod.ts";
import { ownerOf } from "../../src/runtime/placement.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { CounterActor, latch } from "../fixtures/test-actors.ts";
import { tempDir } from "../support/processes.ts";

/** Two fixed members: placement splits actors between them, as in a two-node cluster. */
class FixedMembership extends EventEmitter implements Membership {
  constructor(
    readonly self: MemberInfo,
    private readonly all: readonly string[],
  ) {
    super();
  }
  members(): readonly string[] {
    return this.all;
  }
  info(nodeId: string): MemberInfo | undefined {
    return this.all.includes(nodeId) ? { ...this.self, nodeId } : undefined;
  }
  async start(): Promise<void> {}
  async leave(): Promise<void> {}
}

const nodes = ["n1", "n2"];
/** Counter addresses `n2` owns, so asks from `n1` cross the bus. */
function ownedByN2(count: number, tag: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const address = `counter/app1/${tag}-${i}`;
    if (ownerOf(address, nodes) === "n2") out.push(address);
  }
  return out;
}

describe("cross-node asks and tells, batched per destination node per event-loop turn", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  /** Two actor systems on one in-process bus hub and one SQLite store; counts n1's bus requests. */
  async function twoNodes(): Promise<{ a: ActorSystem; b: ActorSystem; requests: () => number }> {
    const store: Store = await openStore({ kind: "sqlite", path: join(tempDir("remote-batch"), "nimbus.db") });
    const busA = new LocalBus();
    const busB = busA.peer();
    let requests = 0;
    const request = busA.request.bind(busA);
    busA.request = (subject, data, options) => {
      requests++;
      return request(subject, data, options);
    };
    const make = (nodeId: string, bus: LocalBus) => {
      const system = new ActorSystem({
        store,
        bus,
        membership: new FixedMembership({ nodeId, address: "127.0.0.1:0", startedAt: 1 }, nodes),
        log: pino({ level: "silent" }),
        mailboxCapacity: 1000,
        askTimeoutMs: 5000,
        idlePassivateMs: 60_000,
      });
      system.register("counter", (ctx) => new CounterActor(ctx));
      return system;
    };
    const a = make("n1", busA);
    const b = make("n2", busB);
    await a.start();
    await b.start();
    closers.push(async () => {
      await a.drain();
      await b.drain();
      await busA.close();
      await busB.close();
      await store.close();
    });
    return { a, b, requests: () => requests };
  }

  it("sends one turn's asks to a node as one request and answers each ask with its own value", async () => {
    const { a, b, requests } = await twoNodes();
    const targets = ownedByN2(40, "many");
    const answers = await Promise.all(targets.map((t, i) => a.ask(t as `counter/${string}`, { op: "incr", by: i + 1 })));
    expect(answers).toEqual(targets.map((_, i) => i + 1));
    expect(requests()).toBe(1);
    // Handled where placement puts them: on n2, not on the asking node.
    expect(targets.every((t) => b.isActiveHere(t) && !a.isActiveHere(t))).toBe(true);
  });

  it("answers the quick asks of a batch while a slow one in the same batch is still running", async () => {
    const { a, requests } = await twoNodes();
    const [slow, ...quick] = ownedByN2(6, "slow");
    const slowAnswer = a.ask(slow as `counter/${string}`, { op: "wait", key: "remote-batch-slow" });
    const quickAnswers = await Promise.all(quick.map((t) => a.ask(t as `counter/${string}`, { op: "incr" })));
    expect(quickAnswers).toEqual(quick.map(() => 1));
    expect(requests()).toBe(1);
    latch("remote-batch-slow").release();
    await expect(slowAnswer).resolves.toBe("released");
  });

  it("keeps one sender's tells and asks to an actor in order across batches, and passes errors back", async () => {
    const { a, requests } = await twoNodes();
    const [target] = ownedByN2(1, "order");
    const address = target as `counter/${string}`;
    for (let i = 0; i < 50; i++) {
      a.tell(address, { op: "append", item: String(i) });
      if (i % 10 === 9) await new Promise((r) => setImmediate(r)); // a new turn: a new batch
    }
    const state = (await a.ask(address, { op: "get" })) as { items: string[] };
    expect(state.items).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(requests()).toBe(6); // five turns of tells, then the ask
    await expect(a.ask(address, { op: "refuse" })).rejects.toMatchObject({ code: 403 });
  });
});
