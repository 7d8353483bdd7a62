import { describe, it, expect } from "vitest";
import { IdBlocks } from "../../src/runtime/id-blocks.ts";
import type { SequenceStore } from "../../src/store/port.ts";

/** A sequence store that counts its round trips and can be made to fail once. */
function fakeSequences(): SequenceStore & { calls: number; failNext: boolean; hang: boolean } {
  const last = new Map<string, number>();
  const s = {
    calls: 0,
    failNext: false,
    /** Reservations made from now on never answer (the store is stuck). */
    hang: false,
    async reserve(name: string, count: number): Promise<number> {
      s.calls++;
      await new Promise((r) => setTimeout(r, 1));
      if (s.hang) await new Promise(() => undefined);
      if (s.failNext) {
        s.failNext = false;
        throw new Error("store down");
      }
      const first = (last.get(name) ?? 0) + 1;
      last.set(name, first + count - 1);
      return first;
    },
  };
  return s;
}

describe("IdBlocks: per-node id blocks", () => {
  it("hands out unique, growing ids with one reservation per block, even to many concurrent callers", async () => {
    const seqs = fakeSequences();
    const ids = new IdBlocks(seqs, 10);
    const got = await Promise.all(Array.from({ length: 35 }, () => ids.next("msgid")));
    expect(new Set(got).size).toBe(35);
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    // Four blocks used, and at most one more reserved ahead.
    expect(seqs.calls).toBeGreaterThanOrEqual(4);
    expect(seqs.calls).toBeLessThanOrEqual(5);
  });

  it("reserves the next block once half the current one is used: a busy node never waits for the store", async () => {
    const seqs = fakeSequences();
    const ids = new IdBlocks(seqs, 10);
    for (let i = 1; i <= 7; i++) expect(await ids.next("m")).toBe(i);
    await new Promise((r) => setTimeout(r, 20)); // the reservation ahead (11..20) lands
    seqs.hang = true;
    // 8..20 come from memory although the store no longer answers, at once: numbers, not promises.
    const got = Array.from({ length: 13 }, () => ids.next("m"));
    expect(got).toEqual(Array.from({ length: 13 }, (_, i) => i + 8));
    expect(ids.next("m")).toBeInstanceOf(Promise); // 21 needs the store
  });

  it("keeps sequences apart by name", async () => {
    const ids = new IdBlocks(fakeSequences(), 5);
    expect([await ids.next("a"), await ids.next("b"), await ids.next("a")]).toEqual([1, 1, 2]);
  });

  it("a failed reservation fails its callers and the next call tries again", async () => {
    const seqs = fakeSequences();
    const ids = new IdBlocks(seqs, 5);
    seqs.failNext = true;
    await expect(Promise.all([ids.next("m"), ids.next("m")])).rejects.toThrow("store down");
    expect(await ids.next("m")).toBe(1);
  });

  it("two allocators on one store (two nodes) never hand out the same id", async () => {
    const seqs = fakeSequences();
    const a = new IdBlocks(seqs, 7);
    const b = new IdBlocks(seqs, 7);
    const got = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).next("msgid")));
    expect(new Set(got).size).toBe(50);
  });
});
