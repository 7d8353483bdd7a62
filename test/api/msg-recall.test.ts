import { p2pConversation } from "../../src/conversation/ref.ts";
import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers, fullHistory, restSendText, sendText } from "../support/messaging.ts";

const WINDOW_S = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnEachStore("server API: msg/recall and msg/delMsgOneWay", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend, app: { limits: { recallWindowSeconds: WINDOW_S } } });
    await createUsers(api, "rc1", "rc2", "rc3", "dw1", "dw2");
  });
  afterAll(async () => api.close());

  async function send(from: string, to: string, text: string): Promise<{ msgid: string; timetag: string }> {
    const res = await restSendText(api, from, to, text);
    expect(res.code).toBe(200);
    const d = res.data as { msgid: number; timetag: number };
    return { msgid: String(d.msgid), timetag: String(d.timetag) };
  }

  function recall(m: { msgid: string; timetag: string }, from: string, to: string, extra: Record<string, string> = {}) {
    return api.call("msg/recall", { deleteMsgid: m.msgid, timetag: m.timetag, type: "7", from, to, ...extra });
  }

  it("recalls within the window: both sides' devices see a marker without a body, the server API no message, and the unread count drops", async () => {
    const keep = await send("rc1", "rc2", "keep");
    const gone = await send("rc1", "rc2", "secret");
    expect((await api.node.messaging.conversations(api.appKey, "rc2"))[0]?.unread).toBe(2);
    expect(await recall(gone, "rc1", "rc2", { msg: "oops" })).toEqual({ code: 200 });
    for (const side of ["rc1", "rc2"]) {
      const msgs = await fullHistory(api, side, side === "rc1" ? "rc2" : "rc1");
      expect(msgs.map((m) => [m.msgid, m.recalled ?? false, m.body])).toEqual([
        [Number(keep.msgid), false, { msg: "keep" }],
        [Number(gone.msgid), true, {}],
      ]);
    }
    const res = await api.call("history/querySessionMsg", {
      from: "rc2",
      to: "rc1",
      begintime: "0",
      endtime: String(Date.now()),
      limit: "10",
    });
    // As NIM: the server API's history has no recalled message (an app server would read it as an
    // empty one), and a page is not short for it.
    expect(res).toMatchObject({ code: 200, size: 1 });
    expect((res.msgs as { msgid: number; recalled?: boolean }[]).map((m) => [m.msgid, m.recalled])).toEqual([
      [Number(keep.msgid), undefined],
    ]);
    const page = await api.call("history/querySessionMsg", {
      from: "rc2",
      to: "rc1",
      begintime: "0",
      endtime: String(Date.now()),
      limit: "1",
    });
    expect((page.msgs as { msgid: number }[]).map((m) => m.msgid)).toEqual([Number(keep.msgid)]);
    const [conv] = await api.node.messaging.conversations(api.appKey, "rc2");
    expect(conv).toMatchObject({ unread: 1, lastMessage: { msgid: Number(gone.msgid), recalled: true, body: {} } });
    // A second recall is harmless.
    expect(await recall(gone, "rc1", "rc2")).toEqual({ code: 200 });
  });

  it("refuses past the window with 508, allows it with ignoreTime=1", async () => {
    const old = await send("rc1", "rc3", "old news");
    await sleep(WINDOW_S * 1000 + 300);
    const late = await recall(old, "rc1", "rc3");
    expect(late.code).toBe(508);
    expect((await fullHistory(api, "rc3", "rc1"))[0]?.recalled).toBeUndefined();
    // The sender recalling from a device is held to the window too.
    await expect(
      api.node.messaging.recall(api.appKey, p2pConversation("rc1", "rc3"), { by: "rc1", from: "rc1", msgid: Number(old.msgid) }),
    ).rejects.toMatchObject({ code: 508 });
    expect(await recall(old, "rc1", "rc3", { ignoreTime: "1" })).toEqual({ code: 200 });
    expect((await fullHistory(api, "rc3", "rc1"))[0]?.recalled).toBe(true);
  });

  it("lets a sender recall their own message within the window, and nobody else's", async () => {
    const ack = await sendText(api, "rc2", "rc3", "mine");
    await expect(
      api.node.messaging.recall(api.appKey, p2pConversation("rc2", "rc3"), { by: "rc3", from: "rc2", msgid: ack.msgid }),
    ).rejects.toMatchObject({
      code: 403,
    });
    const event = await api.node.messaging.recall(api.appKey, p2pConversation("rc2", "rc3"), { by: "rc2", from: "rc2", msgid: ack.msgid });
    expect(event).toMatchObject({ conv: "rc2|rc3", msgid: ack.msgid, seq: ack.seq, by: "rc2" });
  });

  it("answers 404 for a message that is not in that conversation, 414 for the wrong sender", async () => {
    const m = await send("rc1", "rc2", "here");
    expect((await recall(m, "rc1", "rc3")).code).toBe(404);
    expect((await recall({ msgid: "999999999", timetag: m.timetag }, "rc1", "rc2")).code).toBe(404);
    const wrongSender = await recall(m, "rc2", "rc1");
    expect(wrongSender).toEqual({ code: 414, desc: `from: message ${m.msgid} was not sent by rc2` });
  });

  it("delMsgOneWay hides the message from the recipient only", async () => {
    await send("dw1", "dw2", "first");
    const hidden = await send("dw1", "dw2", "for my eyes");
    await send("dw2", "dw1", "reply");
    const before = (await api.node.messaging.conversations(api.appKey, "dw2"))[0];
    expect(before?.unread).toBe(2);
    const res = await api.call("msg/delMsgOneWay", {
      deleteMsgid: hidden.msgid,
      timetag: hidden.timetag,
      type: "13",
      from: "dw1",
      to: "dw2",
    });
    expect(res).toEqual({ code: 200 });
    expect((await fullHistory(api, "dw1", "dw2")).map((m) => m.body.msg)).toEqual(["first", "for my eyes", "reply"]);
    expect((await fullHistory(api, "dw2", "dw1")).map((m) => m.body.msg)).toEqual(["first", "reply"]);
    expect((await api.node.messaging.conversations(api.appKey, "dw2"))[0]?.unread).toBe(1);
    // Sync leaves it out for the recipient too.
    const sync = await api.node.messaging.sync(api.appKey, "dw2", { cursors: { "dw1|dw2": 0 } });
    expect(sync.messages["dw1|dw2"]?.map((m) => m.body.msg)).toEqual(["first", "reply"]);
    // The sender may hide it from themselves as well, through the service.
    await api.node.messaging.deleteOneWay(api.appKey, p2pConversation("dw1", "dw2"), { accid: "dw1", msgid: Number(hidden.msgid) });
    expect((await fullHistory(api, "dw1", "dw2")).map((m) => m.body.msg)).toEqual(["first", "reply"]);
  });
});
