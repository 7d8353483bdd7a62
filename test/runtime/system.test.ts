import { describe, it, expect, afterEach } from "vitest";
import { join } from "node:path";
import { openStore } from "../../src/store/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { startTestSystem, waitUntil, type TestSystem } from "../support/actor-system.ts";
import { tempDir } from "../support/processes.ts";
import { latch } from "../fixtures/test-actors.ts";

const counter = (id: string) => `counter/app1/${id}`;

describe("actor runtime", () => {
  const open: TestSystem[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  async function start(opts: Parameters<typeof startTestSystem>[0] = {}) {
    const s = await startTestSystem(opts);
    open.push(s);
    return s;
  }

  it("handles one actor's messages in the order each sender sent them, under concurrent senders", async () => {
    const { system } = await start();
    const senders = ["a", "b", "c", "d", "e"];
    const perSender = 200;
    await Promise.all(
      senders.map(async (s) => {
        const pending: Promise<unknown>[] = [];
        for (let i = 0; i < perSender; i++) pending.push(system.ask(counter("order"), { op: "append", item: `${s}:${i}` }));
        await Promise.all(pending);
      }),
    );
    const { items } = (await system.ask(counter("order"), { op: "get" })) as { items: string[] };
    expect(items).toHaveLength(senders.length * perSender);
    for (const s of senders) {
      const mine = items.filter((it) => it.startsWith(`${s}:`)).map((it) => Number(it.split(":")[1]));
      expect(mine).toEqual(Array.from({ length: perSender }, (_, i) => i));
    }
    expect(system.stats.activations).toBe(1);
  });

  it("runs different actors in parallel: one actor's open turn does not hold up another", async () => {
    const { system } = await start();
    // `a` blocks inside its turn until `b` releases it; serialised turns would deadlock and time out.
    const waiting = system.ask(counter("a"), { op: "wait", key: "parallel-1" }, { timeoutMs: 3000 });
    await expect(system.ask(counter("b"), { op: "release", key: "parallel-1" })).resolves.toBe("done");
    await expect(waiting).resolves.toBe("released");
  });

  it("takes the next message while an answer is owed (AnswerLater), and answers each when its own promise settles", async () => {
    const { system } = await start();
    const a = system.ask(counter("later"), { op: "later", key: "later-a", item: "a" });
    const b = system.ask(counter("later"), { op: "later", key: "later-b", item: "b" });
    // Both turns ran: the state shows them, though neither is answered yet.
    expect(await system.ask(counter("later"), { op: "get" })).toEqual({ count: 0, items: ["a", "b"] });
    const answered: string[] = [];
    void a.then((v) => answered.push(String(v)));
    void b.then((v) => answered.push(String(v)));
    latch("later-b").release();
    await expect(b).resolves.toBe("b");
    expect(answered).toEqual(["b"]);
    latch("later-a").release();
    await expect(a).resolves.toBe("a");
  });

  it("hands a message whose owed answer failed fenced, and what is still queued, to a fresh activation in order", async () => {
    const { system } = await start();
    const x = system.ask(counter("fenced-later"), { op: "laterFencedOnce", key: "fenced-later-x", item: "x" });
    // Holds the first activation's turn open, so `z` is still queued when x's answer fails.
    const w = system.ask(counter("fenced-later"), { op: "wait", key: "fenced-later-w" });
    const z = system.ask(counter("fenced-later"), { op: "append", item: "z" });
    latch("fenced-later-x").release();
    await new Promise((r) => setTimeout(r, 20));
    latch("fenced-later-w").release();
    await expect(w).resolves.toBe("released"); // its turn had run: answered by the first activation
    // The fresh activation (nothing was saved) handles x again, then z.
    await expect(x).resolves.toBe("x");
    await expect(z).resolves.toBe(2);
    expect(await system.ask(counter("fenced-later"), { op: "get" })).toEqual({ count: 0, items: ["x", "z"] });
    expect(system.stats.fenced).toBe(1);
    expect(system.stats.activations).toBe(2);
  });

  it("drains owed answers before it passivates", async () => {
    const { system } = await start({ idlePassivateMs: 50 });
    const owed = system.ask(counter("owed"), { op: "later", key: "owed-1", item: "o" });
    await new Promise((r) => setTimeout(r, 300));
    expect(system.isActiveHere(counter("owed"))).toBe(true); // idle by the clock, but still owes an answer
    latch("owed-1").release();
    await expect(owed).resolves.toBe("o");
  });

  it("shares a view with its node while it is active: replaced as it is saved, gone once it passivates", async () => {
    const { system } = await start({ idlePassivateMs: 100 });
    expect(system.sharedView(counter("v"))).toBeUndefined();
    await system.ask(counter("v"), { op: "append", item: "not shared" });
    expect(system.sharedView(counter("v"))).toBeUndefined();
    await system.ask(counter("v"), { op: "incr" });
    await system.ask(counter("v"), { op: "incr", by: 2 });
    expect(system.sharedView(counter("v"))).toEqual({ count: 3 });
    await waitUntil(() => !system.isActiveHere(counter("v")), 5000, "passivation");
    expect(system.sharedView(counter("v"))).toBeUndefined();
  });

  it("passivates an idle actor after saving it, and reactivates it with its state", async () => {
    const { system } = await start({ idlePassivateMs: 100 });
    for (let i = 0; i < 3; i++) await system.ask(counter("p"), { op: "incr" });
    await system.ask(counter("p"), { op: "append", item: "kept-by-passivation" });
    expect(system.isActiveHere(counter("p"))).toBe(true);
    await waitUntil(() => !system.isActiveHere(counter("p")), 5000, "passivation");
    expect(system.stats.passivations).toBe(1);
    const state = await system.ask(counter("p"), { op: "get" });
    expect(state).toEqual({ count: 3, items: ["kept-by-passivation"] });
    expect(system.stats.activations).toBe(2);
  });

  it("turns a throwing handler into an error reply and keeps serving", async () => {
    const { system } = await start();
    await system.ask(counter("t"), { op: "incr" });
    const boom = await system.ask(counter("t"), { op: "boom" }).catch((e: unknown) => e);
    expect(boom).toBeInstanceOf(NimbusError);
    expect((boom as NimbusError).code).toBe(500);
    const refused = await system.ask(counter("t"), { op: "refuse" }).catch((e: unknown) => e);
    expect((refused as NimbusError).code).toBe(403);
    expect(await system.ask(counter("t"), { op: "incr" })).toBe(2);
    expect(system.stats.failed).toBe(2);
    expect(system.stats.activations).toBe(1);
  });

  it("answers the overload code when a mailbox is full, instead of queueing without bound", async () => {
    const { system } = await start({ mailboxCapacity: 5 });
    const held = system.ask(counter("o"), { op: "wait", key: "overload-1" });
    await waitUntil(() => system.load().mailboxDepth === 0 && system.isActiveHere(counter("o")), 2000, "the first turn to start");
    // Let the loop take the first message off the queue before filling it.
    await new Promise((r) => setTimeout(r, 20));
    const rest = Array.from({ length: 10 }, () =>
      system.ask(counter("o"), { op: "incr" }).then(
        () => 200,
        (e: NimbusError) => e.code,
      ),
    );
    await system.ask(counter("other"), { op: "release", key: "overload-1" });
    await held;
    const codes = await Promise.all(rest);
    expect(codes.filter((c) => c === 200)).toHaveLength(5);
    expect(codes.filter((c) => c === 503)).toHaveLength(5);
    expect(system.stats.overloaded).toBe(5);
    expect(await system.ask(counter("o"), { op: "get" })).toMatchObject({ count: 5 });
  });

  it("times an ask out with 408 when the actor does not answer in time", async () => {
    const { system } = await start();
    const err = await system.ask(counter("slow"), { op: "sleep", ms: 500 }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((err as NimbusError).code).toBe(408);
  });

  it("refuses an address of an unknown kind with 404", async () => {
    const { system } = await start();
    const err = await system.ask("nosuchkind/app1/x", { op: "get" }).catch((e: unknown) => e);
    expect((err as NimbusError).code).toBe(404);
  });

  it("fences a stale activation: the loser reloads and the message is applied exactly once", async () => {
    const store = await openStore({ kind: "sqlite", path: join(tempDir("fence"), "nimbus.db") });
    try {
      // Two nodes that each believe they own the actor: the overlap a membership change can cause.
      const a = await start({ store, nodeId: "a" });
      const b = await start({ store, nodeId: "b" });
      await a.system.ask(counter("f"), { op: "get" });
      await b.system.ask(counter("f"), { op: "get" });
      expect(await a.system.ask(counter("f"), { op: "incr" })).toBe(1);
      // b still holds version 0 in memory: its write must lose, then win on a fresh load.
      expect(await b.system.ask(counter("f"), { op: "incr" })).toBe(2);
      expect(b.system.stats.fenced).toBe(1);
      expect(b.system.stats.activations).toBe(2);
      expect(await a.system.ask(counter("f"), { op: "incr" })).toBe(3);
      expect(a.system.stats.fenced).toBe(1);
      const snap = await store.snapshots.load("counter", "app1/f");
      expect(snap).toMatchObject({ version: 3, state: { count: 3 } });
    } finally {
      await Promise.all(open.splice(0).map((s) => s.close()));
      await store.close();
    }
  });

  it("drains on shutdown: queued messages are handled and dirty state is saved", async () => {
    const s = await startTestSystem();
    for (let i = 0; i < 50; i++) void s.system.ask(counter("d"), { op: "append", item: String(i) });
    await s.system.drain();
    const snap = await s.store.snapshots.load("counter", "app1/d");
    expect((snap?.state as { items: string[] }).items).toHaveLength(50);
    await s.close();
  });
});
