import { describe, it, expect } from "vitest";
import { Sequencer } from "../../src/client/sequencer.ts";
import { NotificationFeed } from "../../src/client/notification-feed.ts";
import type { Message, SystemNotification } from "../../src/protocol/messages.ts";

const CONV = "alice|bob";

function msg(seq: number, conv = CONV): Message {
  return { conv, seq, msgid: 1000 + seq, clientMsgId: `c${seq}`, from: "alice", to: "bob", time: seq, type: 0, body: { msg: `m${seq}` } };
}

/** A sequencer whose fills answer from `store` (or hang/fail as told), recording what it emits. */
function harness(initial: Record<string, number> = {}, store: Message[] = [], gapGraceMs = 0) {
  const emitted: Message[] = [];
  const fills: [string, number, number][] = [];
  let failFills = 0;
  const seq = new Sequencer(
    {
      emit: (m) => emitted.push(m),
      fill: async (conv, from, to) => {
        fills.push([conv, from, to]);
        if (failFills > 0) {
          failFills--;
          throw new Error("offline");
        }
        return store.filter((m) => m.conv === conv && m.seq >= from && m.seq <= to).reverse();
      },
    },
    initial,
    gapGraceMs,
  );
  return { seq, emitted, fills, failNextFills: (n: number) => (failFills = n), seqs: () => emitted.map((m) => m.seq) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("client sequencer", () => {
  it("holds pushes while paused, lets the sync decide, then drops what the sync already gave", () => {
    const h = harness({ [CONV]: 3 });
    h.seq.offer(msg(6));
    h.seq.offer(msg(5));
    expect(h.emitted).toEqual([]);
    h.seq.applySync({ [CONV]: [msg(6), msg(4), msg(5), msg(2)] });
    expect(h.seqs()).toEqual([4, 5, 6]);
    h.seq.resume();
    h.seq.offer(msg(6));
    h.seq.offer(msg(7));
    expect(h.seqs()).toEqual([4, 5, 6, 7]);
    expect(h.seq.snapshot()).toEqual({ [CONV]: 7 });
    expect(h.fills).toEqual([]);
  });

  it("takes a sync's jump over messages beyond the offline limit as final", () => {
    const h = harness({ [CONV]: 10 });
    h.seq.applySync({ [CONV]: Array.from({ length: 100 }, (_, i) => msg(51 + i)) });
    h.seq.resume();
    h.seq.offer(msg(151));
    expect(h.seqs()).toEqual(Array.from({ length: 101 }, (_, i) => 51 + i));
    expect(h.fills).toEqual([]);
  });

  it("starts a conversation it has never seen at the first seq that reaches it", () => {
    const h = harness();
    h.seq.resume();
    h.seq.offer(msg(57, "alice|carol"));
    h.seq.offer(msg(58, "alice|carol"));
    expect(h.seqs()).toEqual([57, 58]);
    expect(h.fills).toEqual([]);
  });

  it("fills a gap in the pushes from history, in order, holding later pushes meanwhile", async () => {
    const store = Array.from({ length: 10 }, (_, i) => msg(i + 1));
    const h = harness({ [CONV]: 2 }, store);
    h.seq.resume();
    h.seq.offer(msg(6));
    h.seq.offer(msg(7));
    expect(h.fills).toEqual([[CONV, 3, 5]]);
    expect(h.emitted).toEqual([]);
    await tick();
    expect(h.seqs()).toEqual([3, 4, 5, 6, 7]);
  });

  it("accepts a gap the server cannot fill (deleted one-way) instead of asking forever", async () => {
    const store = [msg(1), msg(2), msg(4)]; // 3 is gone from this user's history
    const h = harness({ [CONV]: 2 }, store);
    h.seq.resume();
    h.seq.offer(msg(5));
    await tick();
    expect(h.seqs()).toEqual([4, 5]);
    h.seq.offer(msg(6));
    expect(h.seqs()).toEqual([4, 5, 6]);
    expect(h.fills).toEqual([[CONV, 3, 4]]);
  });

  it("retries a failed fill on resume, and does not stall on a server that keeps failing", async () => {
    const store = Array.from({ length: 6 }, (_, i) => msg(i + 1));
    const h = harness({ [CONV]: 1 }, store);
    h.seq.resume();
    h.failNextFills(1);
    h.seq.offer(msg(4));
    await tick();
    expect(h.emitted).toEqual([]);
    h.seq.pause();
    h.seq.resume(); // the link came back
    await tick();
    expect(h.seqs()).toEqual([2, 3, 4]);

    const stuck = harness({ [CONV]: 1 }, store);
    stuck.seq.resume();
    stuck.failNextFills(10);
    stuck.seq.offer(msg(4));
    for (let i = 0; i < 3; i++) {
      await tick();
      stuck.seq.pause();
      stuck.seq.resume();
    }
    await tick();
    expect(stuck.seqs()).toEqual([4]);
  });

  it("names the most recently active conversations first when a sync can carry only some cursors", () => {
    const h = harness({ "a|old": 9 });
    h.seq.resume();
    h.seq.offer({ ...msg(1, "a|x"), time: 200 });
    h.seq.offer({ ...msg(1, "a|y"), time: 100 });
    expect(h.seq.recent(2)).toEqual({ "a|x": 1, "a|y": 1 });
    expect(h.seq.recent(5)).toEqual({ "a|old": 9, "a|x": 1, "a|y": 1 });
  });

  it("gives a gap a grace to close by push before it asks history, and asks once it has passed", async () => {
    const h = harness({ [CONV]: 3 }, [msg(4), msg(5), msg(7)], 40);
    h.seq.resume();
    h.seq.offer(msg(5)); // 4 is a push running behind
    await new Promise((r) => setTimeout(r, 10));
    h.seq.offer(msg(4));
    expect(h.seqs()).toEqual([4, 5]);
    h.seq.offer(msg(7)); // 6 never comes by push
    await new Promise((r) => setTimeout(r, 20));
    expect(h.fills).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(h.fills).toEqual([[CONV, 6, 6]]);
    expect(h.seqs()).toEqual([4, 5, 7]); // 6 is not in the store: accepted as a gap
  });

  it("waits for this device's own acks instead of filling a gap while it has sends in flight", async () => {
    const h = harness({ [CONV]: 3 }, [msg(4), msg(5)]);
    h.seq.resume();
    h.seq.sending(CONV);
    h.seq.offer(msg(5)); // the peer's message overtook the ack of our own seq 4
    await tick();
    expect(h.seqs()).toEqual([]);
    expect(h.fills).toEqual([]);
    h.seq.offer(msg(4)); // our message, from its ack
    h.seq.sent(CONV);
    expect(h.seqs()).toEqual([4, 5]);
    expect(h.fills).toEqual([]);
  });

  it("fills the gap once a send in flight is refused", async () => {
    const h = harness({ [CONV]: 3 }, [msg(4), msg(5)]);
    h.seq.resume();
    h.seq.sending(CONV);
    h.seq.sending(CONV);
    h.seq.offer(msg(5));
    h.seq.sent(CONV);
    await tick();
    expect(h.fills).toEqual([]); // one send still in flight
    h.seq.sent(CONV);
    await tick();
    expect(h.fills).toEqual([[CONV, 4, 4]]);
    expect(h.seqs()).toEqual([4, 5]);
  });

  it("starts a new conversation at its first seq when this device's own sends opened it", () => {
    const h = harness();
    h.seq.resume();
    for (let i = 0; i < 3; i++) h.seq.sending(CONV);
    h.seq.offer(msg(4)); // the peer answered before our acks came back
    h.seq.offer(msg(2));
    h.seq.offer(msg(1));
    h.seq.sent(CONV);
    h.seq.sent(CONV);
    expect(h.seqs()).toEqual([]);
    h.seq.offer(msg(3));
    h.seq.sent(CONV);
    expect(h.seqs()).toEqual([1, 2, 3, 4]);
    expect(h.fills).toEqual([]);
  });

  it("ignores malformed cursors it is started with", () => {
    const h = harness({ [CONV]: -1, "a|b": 1.5, "a|c": 4 });
    expect(h.seq.snapshot()).toEqual({ "a|c": 4 });
  });
});

describe("client notification feed", () => {
  const n = (seq: number, stored = true): SystemNotification => ({ seq, from: "a", to: "b", attach: `n${seq}`, time: 0, stored });

  it("passes online-only notifications at once and deduplicates stored ones by seq across pushes and sync", () => {
    const out: string[] = [];
    const feed = new NotificationFeed((x) => out.push(x.attach), 1);
    feed.offer(n(0, false));
    feed.offer(n(3));
    feed.offer(n(2));
    expect(out).toEqual(["n0"]);
    feed.applySync([n(2), n(3), n(1)]);
    feed.resume();
    feed.offer(n(3));
    feed.offer(n(4));
    expect(out).toEqual(["n0", "n2", "n3", "n4"]);
    expect(feed.notificationCursor).toBe(4);
  });
});
