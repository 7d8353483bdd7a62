import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { Bus, MessageHandler } from "../../src/bus/port.ts";
import { BusClosedError, BusTimeoutError, NoRespondersError } from "../../src/bus/errors.ts";

/**
 * The one Bus contract every implementation passes. `a` and `b` are two handles on one message
 * space (two connections to one server): what `a` publishes, `b` hears, and vice versa.
 *
 * Absence of a message is shown with a barrier, not a sleep: a bus delivers one publisher's
 * messages in order, so once a later message has arrived, an earlier one that was due has too.
 * A subscription is in effect on the server after its bus's flush().
 */
export interface BusPair {
  a: Bus;
  b: Bus;
  close(): Promise<void>;
}

interface Received {
  subject: string;
  data: Uint8Array;
}

function collector(): { got: Received[]; handler: MessageHandler } {
  const got: Received[] = [];
  return { got, handler: (data, subject) => void got.push({ subject, data }) };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);

/** Reverses the bytes: an answer that is visibly computed from the request, not echoed. */
const reversed = (b: Uint8Array): Uint8Array => Uint8Array.from(b).reverse();

export function busContract(name: string, makeBus: () => Promise<BusPair>): void {
  describe(`Bus contract: ${name}`, () => {
    let pair: BusPair;
    let a: Bus;
    let b: Bus;

    beforeEach(async () => {
      pair = await makeBus();
      ({ a, b } = pair);
    });
    afterEach(async () => {
      await pair.close();
    });

    it("delivers a publish on one bus to a subscriber on the other, with subject and bytes intact", async () => {
      const sub = collector();
      b.subscribe("user.app1.alice", sub.handler);
      await b.flush();
      a.publish("user.app1.alice", bytes(0, 1, 2, 255));
      a.publish("user.app1.bob", bytes(9)); // someone else's
      a.publish("user.app1.alice", new Uint8Array(0));
      await waitFor("two messages", () => sub.got.length === 2);
      expect(sub.got[0]!.subject).toBe("user.app1.alice");
      expect([...sub.got[0]!.data]).toEqual([0, 1, 2, 255]);
      expect(sub.got[1]!.data.length).toBe(0);
    });

    it("delivers to every subscriber, on both buses", async () => {
      const onA = collector();
      const onB1 = collector();
      const onB2 = collector();
      a.subscribe("team.app1.7", onA.handler);
      b.subscribe("team.app1.7", onB1.handler);
      b.subscribe("team.app1.7", onB2.handler);
      await Promise.all([a.flush(), b.flush()]);
      a.publish("team.app1.7", text("hi"));
      await waitFor("all three", () => onA.got.length + onB1.got.length + onB2.got.length === 3);
      for (const c of [onA, onB1, onB2]) expect(str(c.got[0]!.data)).toBe("hi");
    });

    it("never calls a handler inside publish", async () => {
      const sub = collector();
      a.subscribe("sync.check", sub.handler);
      await a.flush();
      a.publish("sync.check", bytes(1));
      expect(sub.got.length).toBe(0);
      await waitFor("the message", () => sub.got.length === 1);
    });

    it("keeps the order of 1,000 messages from one publisher to one subscriber", async () => {
      const sub = collector();
      b.subscribe("order.test", sub.handler);
      await b.flush();
      for (let i = 0; i < 1000; i++) a.publish("order.test", u32(i));
      await a.flush();
      await waitFor("1000 messages", () => sub.got.length === 1000);
      expect(sub.got.map((m) => readU32(m.data))).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    });

    it("matches `*` to exactly one token and `>` to one or more trailing tokens", async () => {
      const star = collector();
      const tail = collector();
      const mid = collector();
      b.subscribe("w.*.x", star.handler);
      b.subscribe("w.>", tail.handler);
      b.subscribe("w.a.*", mid.handler);
      await b.flush();
      for (const s of ["w.a.x", "w.a.b.x", "w", "w.a", "v.a.x", "w.a.x.y", "ww.a.x", "w.b.x"]) a.publish(s, text(s));
      a.publish("w.end.x", text("end")); // barrier: matches `w.*.x` and `w.>`
      a.publish("w.a.end", text("end")); // barrier: matches `w.a.*` and `w.>`
      await waitFor(
        "barriers",
        () =>
          [star, tail, mid].every((c) => c.got.some((m) => str(m.data) === "end")) &&
          tail.got.filter((m) => str(m.data) === "end").length === 2,
      );
      const subjects = (c: { got: Received[] }): string[] => c.got.map((m) => m.subject);
      expect(subjects(star)).toEqual(["w.a.x", "w.b.x", "w.end.x"]);
      expect(subjects(tail)).toEqual(["w.a.x", "w.a.b.x", "w.a", "w.a.x.y", "w.b.x", "w.end.x", "w.a.end"]);
      expect(subjects(mid)).toEqual(["w.a.x", "w.a.end"]);
    });

    it("stops delivery after unsubscribe", async () => {
      const gone = collector();
      const control = collector();
      const s = b.subscribe("unsub.test", gone.handler);
      b.subscribe("unsub.test", control.handler);
      await b.flush();
      a.publish("unsub.test", bytes(1));
      await waitFor("first message on both", () => gone.got.length === 1 && control.got.length === 1);
      s.unsubscribe();
      s.unsubscribe(); // idempotent
      await b.flush();
      a.publish("unsub.test", bytes(2));
      a.publish("unsub.test", bytes(3));
      await waitFor("control sees both", () => control.got.length === 3);
      expect(gone.got.map((m) => m.data[0])).toEqual([1]);
    });

    it("delivers each message to exactly one member of a queue group, across buses", async () => {
      const members = [collector(), collector(), collector()];
      const everyone = collector();
      a.subscribe("work.items", members[0]!.handler, { queue: "workers" });
      b.subscribe("work.items", members[1]!.handler, { queue: "workers" });
      b.subscribe("work.items", members[2]!.handler, { queue: "workers" });
      b.subscribe("work.items", everyone.handler); // no group: gets all
      await Promise.all([a.flush(), b.flush()]);
      const n = 200;
      for (let i = 0; i < n; i++) a.publish("work.items", u32(i));
      await a.flush();
      const total = (): number => members.reduce((s, m) => s + m.got.length, 0);
      await waitFor("every message taken", () => everyone.got.length === n && total() >= n);
      // Anything delivered twice would have arrived by now: flush both and pass a barrier.
      await Promise.all([a.flush(), b.flush()]);
      a.publish("work.items", u32(n));
      await waitFor("barrier", () => everyone.got.length === n + 1 && total() === n + 1);
      const seen = members.flatMap((m) => m.got.map((x) => readU32(x.data))).sort((x, y) => x - y);
      expect(seen).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
      expect(members.filter((m) => m.got.length > 0).length).toBeGreaterThan(1); // it is shared
    });

    it("answers requests with binary payloads: empty, small, 100 KB", async () => {
      b.serve("svc.reverse", (data) => reversed(data));
      b.serve("svc.async", async (data) => {
        await new Promise((r) => setTimeout(r, 5));
        return Uint8Array.of(data.length & 0xff, ...data.subarray(0, 3));
      });
      await b.flush();
      const opts = { timeoutMs: 5000 };
      const empty = await a.request("svc.reverse", new Uint8Array(0), opts);
      expect(empty).toBeInstanceOf(Uint8Array);
      expect(empty.length).toBe(0);
      expect([...(await a.request("svc.reverse", bytes(0, 1, 128, 255), opts))]).toEqual([255, 128, 1, 0]);
      const big = new Uint8Array(randomBytes(100 * 1024));
      const answer = await a.request("svc.reverse", big, opts);
      expect(answer.length).toBe(big.length);
      expect(Buffer.from(answer).equals(Buffer.from(reversed(big)))).toBe(true);
      expect([...(await a.request("svc.async", bytes(7, 8, 9, 10), opts))]).toEqual([4, 7, 8, 9]);
      // Requests in flight at once each get their own answer.
      const many = await Promise.all(Array.from({ length: 50 }, (_, i) => a.request("svc.reverse", u32(i), opts)));
      expect(many.map((m) => readU32(reversed(m)))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it("serves a request once per queue group", async () => {
      let calls = 0;
      const handler = (data: Uint8Array): Uint8Array => {
        calls++;
        return data;
      };
      a.serve("svc.pool", handler, { queue: "pool" });
      b.serve("svc.pool", handler, { queue: "pool" });
      await Promise.all([a.flush(), b.flush()]);
      for (let i = 0; i < 20; i++) expect(readU32(await a.request("svc.pool", u32(i), { timeoutMs: 5000 }))).toBe(i);
      await Promise.all([a.flush(), b.flush()]);
      expect(calls).toBe(20);
    });

    it("rejects with NoRespondersError, quickly, when nobody serves the subject", async () => {
      const started = Date.now();
      const err: unknown = await a.request("nobody.home", bytes(1), { timeoutMs: 3000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoRespondersError);
      expect((err as NoRespondersError).subject).toBe("nobody.home");
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it("rejects with BusTimeoutError when the server never answers", async () => {
      b.serve("svc.hang", () => new Promise<Uint8Array>(() => {}));
      await b.flush();
      const started = Date.now();
      const err: unknown = await a.request("svc.hang", bytes(1), { timeoutMs: 150 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusTimeoutError);
      expect((err as BusTimeoutError).subject).toBe("svc.hang");
      expect((err as BusTimeoutError).timeoutMs).toBe(150);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it("drops an answer that comes after its request timed out; the next request gets its own", async () => {
      // The first answer comes at ~300 ms, after its request gave up at 100 ms; the second is sent
      // then and answered at ~450 ms, so the stale answer arrives while the second still waits.
      let calls = 0;
      b.serve("svc.late", async (data) => {
        await new Promise((r) => setTimeout(r, calls++ === 0 ? 300 : 350));
        return data;
      });
      await b.flush();
      const err: unknown = await a.request("svc.late", bytes(1), { timeoutMs: 100 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusTimeoutError);
      expect([...(await a.request("svc.late", bytes(2), { timeoutMs: 5000 }))]).toEqual([2]);
      expect(calls).toBe(2);
    });

    it("fails a request still waiting when its bus closes with BusClosedError, before its deadline", async () => {
      b.serve("svc.never", () => new Promise<Uint8Array>(() => {}));
      await b.flush();
      const started = Date.now();
      const waiting = a.request("svc.never", bytes(1), { timeoutMs: 10_000 }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50));
      await a.close();
      expect(await waiting).toBeInstanceOf(BusClosedError);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it("answers nothing when the serve handler throws or rejects: the caller times out", async () => {
      b.serve("svc.throws", () => {
        throw new Error("boom (expected by the test)");
      });
      b.serve("svc.rejects", async () => {
        throw new Error("async boom (expected by the test)");
      });
      b.serve("svc.ok", (d) => d);
      await b.flush();
      for (const s of ["svc.throws", "svc.rejects"]) {
        const err: unknown = await a.request(s, bytes(1), { timeoutMs: 150 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BusTimeoutError);
      }
      // The serving bus is unharmed.
      expect([...(await a.request("svc.ok", bytes(5), { timeoutMs: 5000 }))]).toEqual([5]);
    });

    it("keeps delivering after a subscription handler throws or rejects", async () => {
      const seen: number[] = [];
      b.subscribe("fragile.handler", (data) => {
        const n = data[0]!;
        seen.push(n);
        if (n === 1) throw new Error("sync failure (expected by the test)");
      });
      b.subscribe("fragile.handler", async (data) => {
        if (data[0] === 2) throw new Error("async failure (expected by the test)");
      });
      await b.flush();
      for (const n of [1, 2, 3, 4]) a.publish("fragile.handler", bytes(n));
      await waitFor("all four", () => seen.length === 4);
      expect(seen).toEqual([1, 2, 3, 4]);
      // And the bus still works both ways.
      const back = collector();
      a.subscribe("fragile.after", back.handler);
      await a.flush();
      b.publish("fragile.after", bytes(9));
      await waitFor("reply traffic", () => back.got.length === 1);
    });

    it("flush: after publish + flush, the same bus's own subscribers have the messages", async () => {
      const own = collector();
      a.subscribe("flush.own", own.handler);
      await a.flush();
      for (let i = 0; i < 100; i++) a.publish("flush.own", u32(i));
      await a.flush();
      expect(own.got.length).toBe(100);
      await a.flush(); // nothing pending: resolves as well
    });

    it("close is idempotent, and after it every call fails with BusClosedError", async () => {
      const s = a.subscribe("closing.sub", () => {});
      await a.close();
      await a.close();
      s.unsubscribe(); // harmless after close
      expect(() => a.publish("closing.x", bytes(1))).toThrow(BusClosedError);
      expect(() => a.subscribe("closing.x", () => {})).toThrow(BusClosedError);
      expect(() => a.serve("closing.x", (d) => d)).toThrow(BusClosedError);
      await expect(a.request("closing.x", bytes(1), { timeoutMs: 100 })).rejects.toBeInstanceOf(BusClosedError);
      await expect(a.flush()).rejects.toBeInstanceOf(BusClosedError);
      // The other handle is unaffected.
      const sub = collector();
      b.subscribe("closing.other", sub.handler);
      await b.flush();
      b.publish("closing.other", bytes(1));
      await waitFor("b still works", () => sub.got.length === 1);
    });
  });
}
