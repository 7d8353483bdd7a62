import { describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local.ts";
import { BusClosedError, InvalidSubjectError } from "../../src/bus/errors.ts";
import type { BusLogger } from "../../src/bus/handlers.ts";

const quiet: BusLogger = { error: () => {} };
const one = Uint8Array.of(1);

describe("LocalBus", () => {
  it("flush waits for deliveries, including those published by handlers", async () => {
    const bus = new LocalBus({ logger: quiet });
    const seen: string[] = [];
    bus.subscribe("first", () => {
      seen.push("first");
      bus.publish("second", one); // enqueued behind, never run inside this publish
      seen.push("after publish");
    });
    bus.subscribe("second", () => void seen.push("second"));
    bus.publish("first", one);
    expect(seen).toEqual([]);
    await bus.flush();
    expect(seen).toEqual(["first", "after publish", "second"]);
    await bus.close();
  });

  it("round-robins a queue group", async () => {
    const bus = new LocalBus({ logger: quiet });
    const counts = [0, 0, 0];
    for (let i = 0; i < 3; i++) bus.subscribe("q", () => void counts[i]!++, { queue: "g" });
    for (let i = 0; i < 30; i++) bus.publish("q", one);
    await bus.flush();
    expect(counts).toEqual([10, 10, 10]);
    await bus.close();
  });

  it("treats a queue group name the same across patterns, as NATS does", async () => {
    const bus = new LocalBus({ logger: quiet });
    let calls = 0;
    bus.subscribe("a.b", () => void calls++, { queue: "g" });
    bus.subscribe("a.*", () => void calls++, { queue: "g" });
    bus.publish("a.b", one);
    await bus.flush();
    expect(calls).toBe(1);
    await bus.close();
  });

  it("drops deliveries queued for a subscription that unsubscribes first", async () => {
    const bus = new LocalBus({ logger: quiet });
    let calls = 0;
    const sub = bus.subscribe("x", () => void calls++);
    bus.publish("x", one);
    sub.unsubscribe();
    await bus.flush();
    expect(calls).toBe(0);
    await bus.close();
  });

  it("does not deliver to a subscription made after the publish", async () => {
    const bus = new LocalBus({ logger: quiet });
    let calls = 0;
    bus.publish("late", one);
    bus.subscribe("late", () => void calls++);
    await bus.flush();
    expect(calls).toBe(0);
    await bus.close();
  });

  it("yields to timers during a long publish storm", async () => {
    const bus = new LocalBus({ logger: quiet });
    let timerFiredAt = -1;
    let delivered = 0;
    bus.subscribe("storm", () => void delivered++);
    setTimeout(() => (timerFiredAt = delivered), 0);
    for (let i = 0; i < 50_000; i++) bus.publish("storm", one);
    await bus.flush();
    expect(delivered).toBe(50_000);
    expect(timerFiredAt).toBeGreaterThanOrEqual(0);
    expect(timerFiredAt).toBeLessThan(50_000);
    await bus.close();
  });

  it("close runs what was already published, then fails requests in flight", async () => {
    const bus = new LocalBus({ logger: quiet });
    const other = bus.peer();
    let calls = 0;
    bus.subscribe("drain", () => void calls++);
    other.serve("hang", () => new Promise<Uint8Array>(() => {}));
    other.publish("drain", one);
    const pending = bus.request("hang", one, { timeoutMs: 10_000 });
    await bus.close();
    expect(calls).toBe(1);
    await expect(pending).rejects.toBeInstanceOf(BusClosedError);
    await other.close();
  });

  it("rejects invalid subjects and timeouts", async () => {
    const bus = new LocalBus({ logger: quiet });
    expect(() => bus.publish("a.*", one)).toThrow(InvalidSubjectError);
    expect(() => bus.subscribe("a..b", () => {})).toThrow(InvalidSubjectError);
    expect(() => bus.subscribe("a", () => {}, { queue: "" })).toThrow(InvalidSubjectError);
    await expect(bus.request("a.>", one, { timeoutMs: 10 })).rejects.toBeInstanceOf(InvalidSubjectError);
    await expect(bus.request("a", one, { timeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
    await bus.close();
  });
});
