import { describe, it, expect } from "vitest";
import { PresenceFeed } from "../../src/client/presence-feed.ts";
import { CUSTOM_EVENT, PRESENCE_EVENT, type CustomEventChange, type PresenceChange } from "../../src/protocol/presence-events.ts";

function change(accid: string, seq: number, sync = false): PresenceChange {
  return { accid, eventType: 1, seq, value: 1, online: true, clientTypes: ["WEB"], time: seq, ...(sync && { sync: true as const }) };
}

describe("the SDK's presence feed", () => {
  it("passes each publisher's changes once, in seq order, whatever repeats a sync or a push brings", () => {
    const out: string[] = [];
    const feed = new PresenceFeed((e) => out.push(`${e.accid}${e.sync ? "s" : ""}${e.seq}`));
    feed.release();
    feed.offer(PRESENCE_EVENT, { events: [change("a", 0, true), change("b", 4, true)] });
    feed.offer(PRESENCE_EVENT, { events: [change("a", 1), change("a", 2)] });
    feed.offer(PRESENCE_EVENT, { events: [change("a", 2, true), change("b", 4, true)] }); // a sync saying nothing new
    feed.offer(PRESENCE_EVENT, { events: [change("a", 1)] }); // late, repeated
    feed.offer(PRESENCE_EVENT, { events: [change("b", 5), change("a", 3)] });
    expect(out).toEqual(["as0", "bs4", "a1", "a2", "b5", "a3"]);
  });

  it("holds pushes until released, then passes them in order; ignores other pushes and malformed bodies", () => {
    const out: number[] = [];
    const feed = new PresenceFeed((e) => out.push(e.seq));
    feed.offer(PRESENCE_EVENT, { events: [change("a", 1)] });
    feed.offer("msg", { events: [change("a", 9)] });
    expect(out).toEqual([]);
    feed.release();
    expect(out).toEqual([1]);
    feed.offer(PRESENCE_EVENT, null);
    feed.offer(PRESENCE_EVENT, { events: "nope" });
    feed.offer(PRESENCE_EVENT, { events: [{ accid: 3, seq: 4 }, change("a", 2)] });
    expect(out).toEqual([1, 2]);
  });

  it("keeps custom events apart: per publisher and eventType, each once in seq order, emitted as custom events", () => {
    const out: string[] = [];
    const feed = new PresenceFeed(
      (e) => out.push(`p:${e.accid}${e.seq}`),
      (e) => out.push(`c:${e.accid}/${e.eventType}/${e.seq}`),
    );
    feed.release();
    const custom = (accid: string, eventType: number, seq: number): CustomEventChange => ({
      accid,
      eventType,
      eventValue: 1,
      config: "",
      broadcastType: 2,
      seq,
      time: seq,
      expireAt: seq + 1000,
    });
    feed.offer(CUSTOM_EVENT, { events: [custom("a", 100_000, 500)] });
    // The online state's small seqs are not measured against the custom events' ms-based ones.
    feed.offer(PRESENCE_EVENT, { events: [change("a", 1)] });
    feed.offer(CUSTOM_EVENT, { events: [custom("a", 100_001, 400), custom("a", 100_000, 500), custom("a", 100_000, 501)] });
    expect(out).toEqual(["c:a/100000/500", "p:a1", "c:a/100001/400", "c:a/100000/501"]);
  });
});
