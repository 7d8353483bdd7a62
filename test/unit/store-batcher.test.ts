import { describe, expect, it } from "vitest";
import { Batcher, type ItemResult } from "../../src/store/batcher.ts";

/** A write that records each batch and can be held open to let calls pile up behind it. */
function recorder(decide: (item: number) => ItemResult<string> = (i) => ({ ok: true, value: `v${i}` })) {
  const batches: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let gate: Promise<void> = Promise.resolve();
  const write = async (items: readonly number[]) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    batches.push([...items]);
    await gate;
    inFlight--;
    return items.map(decide);
  };
  const hold = () => {
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    return () => {
      gate = Promise.resolve();
      release();
    };
  };
  return { write, batches, hold, maxInFlight: () => maxInFlight };
}

describe("Batcher", () => {
  it("groups calls of one turn into one write and gives each call its own results", async () => {
    const r = recorder();
    const b = new Batcher(r.write);
    const results = await Promise.all([b.submit([1, 2]), b.submit([3]), b.submit([4, 5, 6])]);
    expect(r.batches).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(results).toEqual([["v1", "v2"], ["v3"], ["v4", "v5", "v6"]]);
  });

  it("groups calls made after an await in the same turn", async () => {
    const r = recorder();
    const b = new Batcher(r.write);
    const first = b.submit([1]);
    await Promise.resolve();
    const second = b.submit([2]);
    await Promise.all([first, second]);
    expect(r.batches).toEqual([[1, 2]]);
  });

  it("collects calls arriving during a write into the next one, one write at a time, in order", async () => {
    const r = recorder();
    const b = new Batcher(r.write);
    const release = r.hold();
    const first = b.submit([1]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [b.submit([2]), b.submit([3, 4])];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(r.batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    expect(r.maxInFlight()).toBe(1);
  });

  it("rejects only the call holding a failed item, with that item's error", async () => {
    const boom = new Error("item 3 failed");
    const r = recorder((i) =>
      i === 3 || i === 4 ? { ok: false, error: i === 3 ? boom : new Error("later") } : { ok: true, value: `v${i}` },
    );
    const b = new Batcher(r.write);
    const [a, bad, c] = await Promise.allSettled([b.submit([1, 2]), b.submit([3, 4]), b.submit([5])]);
    expect(a).toEqual({ status: "fulfilled", value: ["v1", "v2"] });
    expect(bad).toEqual({ status: "rejected", reason: boom });
    expect(c).toEqual({ status: "fulfilled", value: ["v5"] });
    expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it("rejects every call of a batch whose write failed, and carries on with the next", async () => {
    let fail = true;
    const batches: number[][] = [];
    const b = new Batcher<number, number>(async (items) => {
      batches.push([...items]);
      if (fail) {
        fail = false;
        throw new Error("down");
      }
      return items.map((i) => ({ ok: true, value: i }));
    });
    const settled = await Promise.allSettled([b.submit([1]), b.submit([2])]);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect(await b.submit([3])).toEqual([3]);
  });

  it("caps a write at maxItems without splitting a call", async () => {
    const r = recorder();
    const b = new Batcher(r.write, 3);
    await Promise.all([b.submit([1, 2]), b.submit([3]), b.submit([4, 5, 6, 7]), b.submit([8])]);
    expect(r.batches).toEqual([[1, 2, 3], [4, 5, 6, 7], [8]]);
  });

  it("answers an empty call at once and drains pending calls", async () => {
    const r = recorder();
    const b = new Batcher(r.write);
    expect(await b.submit([])).toEqual([]);
    let done = false;
    void b.submit([1]).then(() => (done = true));
    await b.drain();
    expect(done).toBe(true);
    expect(r.batches).toEqual([[1]]);
  });
});
