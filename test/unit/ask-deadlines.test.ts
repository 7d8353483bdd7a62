import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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

/** Fake time (Date.now and timers both): a loaded machine cannot overshoot one deadline into the next. */
const sleep = (ms: number) => vi.advanceTimersByTime(ms);

describe("ask deadlines", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("expires the asks still pending at their deadlines, in deadline order across timeouts", () => {
    const list = new AskDeadlines();
    const expired: string[] = [];
    const long = ask("long", 60, expired);
    const answered = ask("answered", 20, expired);
    const short = ask("short", 20, expired);
    for (const a of [long, answered, short]) list.add(a);
    list.remove(answered);
    expect([list.size, list.timeouts]).toEqual([2, 2]);

    sleep(35);
    expect(expired).toEqual(["short"]);
    expect([list.size, list.timeouts, list.armed]).toEqual([1, 1, true]);
    sleep(45);
    expect(expired).toEqual(["short", "long"]);
    expect([list.size, list.timeouts, list.armed]).toEqual([0, 0, false]);
  });

  it("keeps its timer through asks answered one at a time, and lets it go once it fires with nothing due", () => {
    const list = new AskDeadlines();
    const expired: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = ask(`a${i}`, 20, expired);
      list.add(a);
      list.remove(a);
      expect([list.size, list.armed]).toEqual([0, true]);
    }
    sleep(40);
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

  it("keeps the others linked when one in the middle is answered", () => {
    const list = new AskDeadlines();
    const expired: string[] = [];
    const asks = ["a", "b", "c", "d"].map((n) => ask(n, 15, expired));
    for (const a of asks) list.add(a);
    list.remove(asks[1]!);
    list.remove(asks[3]!);
    sleep(40);
    expect(expired).toEqual(["a", "c"]);
    expect(list.armed).toBe(false);
  });
});
