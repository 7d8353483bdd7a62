import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers, fullHistory, sendText } from "../support/messaging.ts";
import { sessionAddress } from "../../src/contracts/session.ts";
import type { P2pPayload } from "../../src/conversation/entry.ts";
import type { JournalEntry } from "../../src/store/port.ts";

describeOnEachStore("messaging: the journal is the truth (fencing and catching up)", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "x1", "x2");
  });
  afterAll(async () => api.close());

  /** A message written behind the actors' backs, as another activation of the conversation would. */
  async function appendBehind(seq: number, text: string): Promise<void> {
    const payload: P2pPayload = { to: "x2", body: { msg: text } };
    const entry: JournalEntry = {
      conversation: sessionAddress(api.appKey, "x1|x2"),
      seq,
      msgid: 900_000_000 + seq,
      clientMsgId: `behind-${seq}`,
      from: "x1",
      time: Date.now(),
      type: 0,
      flags: 0,
      expireAt: Date.now() + 86_400_000,
      payload: payload as unknown as Record<string, unknown>,
    };
    expect(await api.node.store.journal.append([entry])).toEqual([{ status: "appended" }]);
  }

  it("a send that finds its seq taken is fenced and retried on a fresh activation: no gap, no loss", async () => {
    await sendText(api, "x1", "x2", "one");
    await sendText(api, "x1", "x2", "two");
    await appendBehind(3, "three (elsewhere)");
    const fencedBefore = api.node.system.stats.fenced;
    const ack = await sendText(api, "x1", "x2", "four");
    expect(ack.seq).toBe(4);
    expect(api.node.system.stats.fenced).toBe(fencedBefore + 1);
    expect((await fullHistory(api, "x2", "x1")).map((m) => [m.seq, m.body.msg])).toEqual([
      [1, "one"],
      [2, "two"],
      [3, "three (elsewhere)"],
      [4, "four"],
    ]);
  });

  it("the inbox reads skipped seqs back from the journal: on the next bump and on activation", async () => {
    // The bump of seq 4 skipped seq 3, which the inbox then read from the journal.
    expect((await api.node.messaging.conversations(api.appKey, "x2"))[0]).toMatchObject({ lastSeq: 4, unread: 4 });
    await appendBehind(5, "five (elsewhere)");
    await api.restart();
    const [conv] = await api.node.messaging.conversations(api.appKey, "x2");
    expect(conv).toMatchObject({ lastSeq: 5, unread: 5, lastMessage: { seq: 5, body: { msg: "five (elsewhere)" } } });
    expect((await sendText(api, "x2", "x1", "six")).seq).toBe(6);
  });

  it("pipelined sends around a resend the activation never saw: the resend is answered as such, the rest go on gap-free and in order", async () => {
    await createUsers(api, "y1", "y2");
    const first = await sendText(api, "y1", "y2", "first", { clientMsgId: "y-first" });
    await api.restart(); // the fresh activation knows nothing of y-first but what the journal says
    const fencedBefore = api.node.system.stats.fenced;
    // One burst: each send's append starts before the previous one is answered.
    const acks = await Promise.all([
      sendText(api, "y1", "y2", "a", { clientMsgId: "y-a" }),
      sendText(api, "y1", "y2", "first (resent)", { clientMsgId: "y-first" }),
      sendText(api, "y1", "y2", "b", { clientMsgId: "y-b" }),
      sendText(api, "y1", "y2", "c", { clientMsgId: "y-c" }),
    ]);
    expect(acks[1]).toEqual({ ...first, duplicate: true });
    expect(acks.filter((a) => !a.duplicate).map((a) => a.seq)).toEqual([2, 3, 4]);
    // The resend's seq was never taken: the links after it were fenced and handled again, in order.
    expect(api.node.system.stats.fenced).toBeGreaterThan(fencedBefore);
    expect((await fullHistory(api, "y2", "y1")).map((m) => [m.seq, m.body.msg])).toEqual([
      [1, "first"],
      [2, "a"],
      [3, "b"],
      [4, "c"],
    ]);
  });
});
