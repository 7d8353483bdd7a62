import { describe, it, expect } from "vitest";
import { IdBlocks } from "../../src/runtime/id-blocks.ts";
import type { SequenceStore } from "../../src/store/port.ts";

/** A sequence store that counts its round trips and can be made to fail once. */
function fakeSequences(): SequenceStore & { calls: number; failNext: boolean } {
  const last = new Map<string, number>();
  const s = {
    calls: 0,
    failNext: false,
    async reserve(name: string, count: number): Promise<number> {
      s.calls++;
      await new Promise((r) => setTimeout(r, 1));
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
    expect(seqs.calls).toBe(4);
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
