import { describe, it, expect } from "vitest";
import { Mailbox } from "../../src/runtime/mailbox.ts";

describe("mailbox", () => {
  it("yields items in order, waits for more, and ends after close once drained", async () => {
    const box = new Mailbox<number>(10);
    box.push(1);
    box.push(2);
    const seen: number[] = [];
    const done = (async () => {
      for await (const n of box) seen.push(n);
    })();
    await new Promise((r) => setTimeout(r, 5));
    box.push(3);
    box.close();
    expect(box.push(4)).toBe(false);
    await done;
    expect(seen).toEqual([1, 2, 3]);
    expect({ received: box.received, refused: box.refused, delivered: box.delivered }).toEqual({ received: 3, refused: 1, delivered: 3 });
  });

  it("refuses past capacity and counts it", () => {
    const box = new Mailbox<string>(2);
    expect([box.push("a"), box.push("b"), box.push("c")]).toEqual([true, true, false]);
    expect(box.depth).toBe(2);
    expect(box.takeAll()).toEqual(["a", "b"]);
    expect(box.depth).toBe(0);
  });

  it("stays in order across its internal compaction", async () => {
    const box = new Mailbox<number>(5000);
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) box.push(i);
    box.close();
    for await (const n of box) out.push(n);
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });
});
