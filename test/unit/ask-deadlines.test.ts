import { describe, expect, it } from "vitest";
import { AskDeadlines, type TimedAsk } from "../../src/runtime/ask-deadlines.ts";

function ask(name: string, timeoutMs: number, expired: string[]): TimedAsk {
  return {
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    prevAsk: null,
    nextAsk: null,
    queued: false,
    expire: () => expired.push(name),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ask deadlines", () => {
  it("expires the asks still pending at their deadlines, in deadline order across timeouts", async () => {
    const list = new AskDeadlines();
    const expired: string[] = [];
    const long = ask("long", 60, expired);
    const answered = ask("answered", 20, expired);
    const short = ask("short", 20, expired);
    for (const a of [long, answered, short]) list.add(a);
    list.remove(answered);
    expect([list.size, list.timeouts]).toEqual([2, 2]);

    await sleep(35);
    expect(expired).toEqual(["short"]);
    expect([list.size, list.timeouts, list.armed]).toEqual([1, 1, true]);
    await sleep(45);
    expect(expired).toEqual(["short", "long"]);
    expect([list.size, list.timeouts, list.armed]).toEqual([0, 0, false]);
  });

  it("keeps its timer through asks answered one at a time, and lets it go once it fires with nothing due", async () => {
    const list = new AskDeadlines();
    const expired: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = ask(`a${i}`, 20, expired);
      list.add(a);
      list.remove(a);
      expect([list.size, list.armed]).toEqual([0, true]);
    }
    await sleep(40);
    expect(expired).toEqual([]);
    expect([list.size, list.timeouts, list.armed]).toEqual([0, 0, false]);
  });

  it("settles (disarms) only once nothing is pending, and removing twice changes nothing", () => {
    const list = new AskDeadlines();
    const expired: string[] = [];
    const a = ask("a", 1000, expired);
    const b = ask("b", 1000, expired);
    list.add(a);
    list.add(b);
    list.remove(a);
    list.remove(a);
    list.settle();
    expect([list.size, list.armed]).toEqual([1, true]);
    list.remove(b);
    list.settle();
    expect([list.size, list.armed]).toEqual([0, false]);
  });

  it("keeps the others linked when one in the middle is answered", async () => {
    const list = new AskDeadlines();
    const expired: string[] = [];
    const asks = ["a", "b", "c", "d"].map((n) => ask(n, 15, expired));
    for (const a of asks) list.add(a);
    list.remove(asks[1]!);
    list.remove(asks[3]!);
    await sleep(40);
    expect(expired).toEqual(["a", "c"]);
    expect(list.armed).toBe(false);
  });
});
