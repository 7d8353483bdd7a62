import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, it, expect } from "vitest";
import { Mailbox } from "../../src/runtime/mailbox.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

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

  it("keeps no reference to an item once it is handed out, queued behind others or not", async () => {
    const refs: WeakRef<object>[] = [];
    // Items made and taken in helpers: a value held in this async frame's registers would outlive them.
    const fill = (box: Mailbox<{ n: number }>, ns: number[]) =>
      ns.forEach((n) => {
        const item = { n };
        refs.push(new WeakRef(item));
        box.push(item);
      });
    const take = async (it: AsyncIterator<unknown>) => void (await it.next());

    // A queue that never fully drains, as a busy actor's: handed-out items sit before the head.
    const busy = new Mailbox<{ n: number }>(10);
    fill(busy, [0, 1, 2]);
    const iterator = busy[Symbol.asyncIterator]();
    await take(iterator);
    await take(iterator);
    // And a queue that drains to empty.
    const idle = new Mailbox<{ n: number }>(10);
    fill(idle, [9]);
    await take(idle[Symbol.asyncIterator]());

    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true, false, true]);
    expect(busy.depth).toBe(1);
  });
});
