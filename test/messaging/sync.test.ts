import { p2pConversation } from "../../src/conversation/ref.ts";
import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers, sendText } from "../support/messaging.ts";

const seqs = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describeOnEachStore("messaging service: login sync (offline with cursors, roaming without)", (backend) => {
  describe_default(backend);
  describe_small(backend);
});

/** NIM's default limits: 100 per conversation offline. */
function describe_default(backend: "sqlite" | "mongo"): void {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "o1", "o2");
    for (let i = 1; i <= 150; i++) await sendText(api, "o1", "o2", `m${i}`);
  });
  afterAll(async () => api.close());

  it("150 messages, cursor at 0: exactly the newest 100, oldest first", async () => {
    const res = await api.node.messaging.sync(api.appKey, "o2", { cursors: { "o1|o2": 0 } });
    expect(res.messages["o1|o2"]?.map((m) => m.seq)).toEqual(seqs(100, 51));
    expect(res.messages["o1|o2"]?.[0]?.body).toEqual({ msg: "m51" });
    expect(res.conversations).toMatchObject([{ conv: "o1|o2", peer: "o1", lastSeq: 150, unread: 150 }]);
  });

  it("a cursor part-way gives only what is after it", async () => {
    const res = await api.node.messaging.sync(api.appKey, "o2", { cursors: { "o1|o2": 140 } });
    expect(res.messages["o1|o2"]?.map((m) => m.seq)).toEqual(seqs(10, 141));
    const upToDate = await api.node.messaging.sync(api.appKey, "o2", { cursors: { "o1|o2": 150 } });
    expect(upToDate.messages).toEqual({});
  });

  it("refuses a malformed request with 414", async () => {
    await expect(api.node.messaging.sync(api.appKey, "o2", { cursors: { "o1|o2": -1 } })).rejects.toMatchObject({ code: 414 });
    await expect(api.node.messaging.sync(api.appKey, "o2", { notificationCursor: 1.5 })).rejects.toMatchObject({ code: 414 });
  });
}

/** An app with small limits, so that every limit is reached quickly. */
function describe_small(backend: "sqlite" | "mongo"): void {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({
      backend,
      app: { limits: { offlinePerConversation: 4, offlineTotal: 10, roamingConversations: 3, roamingPerConversation: 5 } },
    });
    await createUsers(api, "me", "p1", "p2", "p3", "p4", "q1", "q2", "n1", "n2");
    // me has four conversations, p4's the most recent; each peer sends 6 messages, each in its own
    // millisecond so that "the newest overall" has one answer.
    for (const peer of ["p1", "p2", "p3", "p4"]) {
      for (let i = 1; i <= 6; i++) {
        await sendText(api, peer, "me", `${peer}-${i}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  });
  afterAll(async () => api.close());

  it("offline: at most offlinePerConversation per conversation and offlineTotal overall, the newest kept", async () => {
    const res = await api.node.messaging.sync(api.appKey, "me", { cursors: { "me|p1": 0 } });
    const counts = Object.fromEntries(Object.entries(res.messages).map(([c, ms]) => [c, ms.map((m) => m.seq)]));
    // 4 conversations × 4 = 16 candidates, the newest 10 overall: p4's, p3's and two of p2's.
    expect(counts).toEqual({ "me|p4": [3, 4, 5, 6], "me|p3": [3, 4, 5, 6], "me|p2": [5, 6] });
    expect(res.conversations.map((c) => c.peer)).toEqual(["p4", "p3", "p2", "p1"]);
  });

  it("roaming (no cursors): the roamingConversations newest conversations, roamingPerConversation messages each", async () => {
    for (const req of [{}, { cursors: {} }]) {
      const res = await api.node.messaging.sync(api.appKey, "me", req);
      expect(res.conversations.map((c) => c.peer)).toEqual(["p4", "p3", "p2"]);
      expect(Object.fromEntries(Object.entries(res.messages).map(([c, ms]) => [c, ms.map((m) => m.seq)]))).toEqual({
        "me|p4": [2, 3, 4, 5, 6],
        "me|p3": [2, 3, 4, 5, 6],
        "me|p2": [2, 3, 4, 5, 6],
      });
    }
  });

  it("persistent=false is not delivered offline; roam=false is not roamed; sendersync=false skips the sender's other devices", async () => {
    const send = (from: string, to: string, msg: string, option: object) =>
      api.node.messaging.send(api.appKey, p2pConversation(from, to), { from, type: 0, body: { msg }, option });
    await send("q1", "q2", "plain", {});
    await send("q1", "q2", "online only", { persistent: false });
    await send("q1", "q2", "no roaming", { roam: false });
    await send("q1", "q2", "not on my other devices", { sendersync: false });
    const offline = await api.node.messaging.sync(api.appKey, "q2", { cursors: { "q1|q2": 0 } });
    expect(offline.messages["q1|q2"]?.map((m) => m.body.msg)).toEqual(["plain", "no roaming", "not on my other devices"]);
    const roaming = await api.node.messaging.sync(api.appKey, "q2", {});
    expect(roaming.messages["q1|q2"]?.map((m) => m.body.msg)).toEqual(["plain", "online only", "not on my other devices"]);
    const senderOffline = await api.node.messaging.sync(api.appKey, "q1", { cursors: { "q1|q2": 0 } });
    expect(senderOffline.messages["q1|q2"]?.map((m) => m.body.msg)).toEqual(["plain", "no roaming"]);
  });

  it("notifications: save=1 is never stored, save=2 comes with sync after the cursor", async () => {
    const online = await api.node.messaging.notify(api.appKey, { from: "n1", to: "n2", attach: "online", save: false });
    expect(online).toMatchObject({ seq: 0, stored: false, attach: "online" });
    const a = await api.node.messaging.notify(api.appKey, { from: "n1", to: "n2", attach: "first", save: true });
    const b = await api.node.messaging.notify(api.appKey, { from: "n1", to: "n2", attach: "second", save: true });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a).toMatchObject({ from: "n1", to: "n2", stored: true });
    const all = await api.node.messaging.sync(api.appKey, "n2", {});
    expect(all.notifications.map((n) => [n.seq, n.attach, n.stored])).toEqual([
      [1, "first", true],
      [2, "second", true],
    ]);
    expect((await api.node.messaging.sync(api.appKey, "n2", { notificationCursor: 1 })).notifications.map((n) => n.attach)).toEqual([
      "second",
    ]);
    expect((await api.node.messaging.sync(api.appKey, "n2", { notificationCursor: 2 })).notifications).toEqual([]);
    // Over REST: save 1 stores nothing, the default (2) stores.
    expect(await api.call("msg/sendAttachMsg", { from: "n1", msgtype: "0", to: "n2", attach: "rest online", save: "1" })).toEqual({
      code: 200,
    });
    expect(await api.call("msg/sendAttachMsg", { from: "n1", msgtype: "0", to: "n2", attach: "rest stored" })).toEqual({ code: 200 });
    expect(
      (await api.node.messaging.sync(api.appKey, "n2", { notificationCursor: 2 })).notifications.map((n) => [n.seq, n.attach]),
    ).toEqual([[3, "rest stored"]]);
    const batch = await api.call("msg/sendBatchAttachMsg", { fromAccid: "n1", toAccids: '["n2","ghost"]', attach: "batch" });
    expect(batch).toEqual({ code: 200, unregister: ["ghost"] });
    expect((await api.node.messaging.sync(api.appKey, "n2", { notificationCursor: 3 })).notifications.map((n) => n.attach)).toEqual([
      "batch",
    ]);
    expect(await api.call("msg/sendAttachMsg", { from: "n1", msgtype: "0", to: "ghost", attach: "x" })).toEqual({
      code: 404,
      desc: "to: account ghost does not exist",
    });
  });
}
