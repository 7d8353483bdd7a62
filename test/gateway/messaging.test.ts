import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { MessageType, NimbusClientError, type NimbusClient, type SendAck } from "nimbus/client";
import { dropSocket, next, record, sleep, startGatewayNode, until, type GatewayNode } from "./support.ts";
import { Received, expectSameAsServer, range, serverHistory } from "./messaging-support.ts";
import { decodeUserEvent } from "../../src/protocol/user-events.ts";

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof NimbusClientError) return err.code;
    throw err;
  }
}

describe("gateway messaging: p2p over the realtime link, one node", () => {
  let gw: GatewayNode;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    // Generous frame rates: these tests send hundreds of messages from one connection.
    gw = await startGatewayNode({ ratePerSecond: 10_000, rateBurst: 10_000 });
  });
  afterAll(async () => gw.close());

  async function account(accid: string): Promise<string> {
    tokens[accid] ??= await gw.createAccount(accid);
    return tokens[accid]!;
  }

  /** A logged-in device whose first login sync is done. */
  async function device(accid: string, deviceId: string, extra: Parameters<GatewayNode["device"]>[3] = {}): Promise<NimbusClient> {
    const c = await gw.device(accid, await account(accid), deviceId, extra);
    await c.synced();
    return c;
  }

  it("delivers each message to every device of both sides, once each, in seq order", async () => {
    const [a1, a2, b1, b2] = [await device("al", "a1"), await device("al", "a2"), await device("bo", "b1"), await device("bo", "b2")];
    const seen = [a1, a2, b1, b2].map((c) => new Received(c));
    const acks: SendAck[] = [];
    for (let i = 1; i <= 10; i++) {
      acks.push(await a1.sendText("bo", `from al ${i}`));
      acks.push(await b2.send("al", MessageType.CUSTOM, { n: i }, { ext: `e${i}`, option: { push: false } }));
    }
    expect(acks.map((a) => a.seq)).toEqual(range(1, 20));
    expect(acks.every((a) => a.conv === "al|bo" && !a.duplicate)).toBe(true);
    for (const r of seen) await r.reach("al|bo", 20);
    await sleep(200); // anything extra would have arrived by now
    const history = await serverHistory(a1, "bo", 20);
    for (const r of seen) expectSameAsServer(r.of("al|bo"), history);
    const first = seen[2]!.of("al|bo")[0]!;
    expect(first).toMatchObject({
      from: "al",
      to: "bo",
      type: MessageType.TEXT,
      body: { msg: "from al 1" },
      fromClientType: "WEB",
      fromDeviceId: "a1",
    });
    expect(seen[0]!.of("al|bo")[1]).toMatchObject({ from: "bo", type: MessageType.CUSTOM, body: { n: 1 }, ext: "e1", fromDeviceId: "b2" });
  });

  it("pushes no message back to the device that sent it; the SDK has it from the ack, and the sender's other devices from a push", async () => {
    const [a1, a2, b1] = [await device("ed", "e1"), await device("ed", "e2"), await device("fay", "f1")];
    const pushes = [a1, a2, b1].map((c) => record(c, "event"));
    const seen = [a1, a2, b1].map((c) => new Received(c));
    await a1.sendText("fay", "one");
    await a1.send("fay", MessageType.TEXT, { msg: "quiet" }, { option: { sendersync: false } });
    await b1.sendText("ed", "two");
    for (const r of [seen[0]!, seen[2]!]) await r.reach("ed|fay", 3);
    await seen[1]!.reach("ed|fay", 3);
    await sleep(200);
    const msgPushes = (i: number) => pushes[i]!.filter((e) => e.type === "msg").map((e) => (e.body as { seq: number }).seq);
    expect(msgPushes(0)).toEqual([3]); // only fay's message
    expect(msgPushes(1)).toEqual([1, 3]); // ed's other device: not the sendersync=false one
    expect(msgPushes(2)).toEqual([1, 2]);
    const history = await serverHistory(b1, "ed", 3);
    expectSameAsServer(seen[0]!.of("ed|fay"), history);
    expect(seen[0]!.of("ed|fay")[1]).toMatchObject({
      from: "ed",
      to: "fay",
      body: { msg: "quiet" },
      fromDeviceId: "e1",
      fromClientType: "WEB",
    });
    // ed's other device was not pushed seq 2; the push of 3 made it fill the gap from history (PROTOCOL.md §9.4).
    expect(seen[1]!.seqs("ed|fay")).toEqual([1, 2, 3]);
  });

  it("answers bad requests with 414 naming the field, and sends nothing", async () => {
    const c = await device("vic", "v1");
    await account("val");
    expect(await codeOf(c.sendText("val", ""))).toBe(414);
    const err = await c.request("send", { to: "val", type: 0, body: { msg: "x" } }).catch((e: NimbusClientError) => e);
    expect(err).toMatchObject({ code: 414, message: "clientMsgId: required" });
    const bad = await c.request("history", { peer: "val", limit: 500, order: "asc" }).catch((e: NimbusClientError) => e);
    expect(bad).toMatchObject({ code: 414, message: "limit: must be at most 100" });
    expect(await codeOf(c.sendText("nobody-here", "hi"))).toBe(404);
    expect(await c.history("val")).toEqual([]);
  });

  it("counts limits in characters (code points) as REST does, and names the SDK's fields", async () => {
    const c = await device("uma", "u1");
    await account("udo");
    const emoji = (n: number) => "😀".repeat(n);
    const ack = await c.sendText("udo", emoji(4990), { clientMsgId: emoji(128), ext: emoji(1024) });
    const [stored] = await c.history("udo", { fromSeq: ack.seq, toSeq: ack.seq, limit: 1, order: "asc" });
    expect(stored).toMatchObject({ clientMsgId: emoji(128), ext: emoji(1024), body: { msg: emoji(4990) } });
    const tooLong = await c.sendText("udo", "x", { clientMsgId: emoji(129) }).catch((e: NimbusClientError) => e);
    expect(tooLong).toMatchObject({ code: 414, message: "clientMsgId: too long: at most 128 characters" });
    const oldFirst = await c
      .request("history", { peer: "udo", fromTime: 10, toTime: 9, limit: 1, order: "asc" })
      .catch((e: NimbusClientError) => e);
    expect(oldFirst).toMatchObject({ code: 414, message: "toTime: must not be below fromTime" });
    expect(await c.request("notify", { to: "udo", attach: emoji(4096) })).toBeTruthy();
  });

  it("hands a device that was offline during 150 messages exactly the newest 100 at login, in order", async () => {
    const sender = await device("sam", "s1");
    const phone = await device("rita", "r1");
    const got = new Received(phone);
    await sender.sendText("rita", "before");
    await got.reach("rita|sam", 1);
    const saved = phone.syncState();
    expect(saved.cursors).toEqual({ "rita|sam": 1 });
    await phone.logout();

    const acks = await Promise.all(range(1, 150).map((i) => sender.sendText("rita", `while away ${i}`)));
    expect(acks.map((a) => a.seq).sort((x, y) => x - y)).toEqual(range(2, 151));

    const back = await gw.device("rita", await account("rita"), "r1", { syncState: saved });
    const again = new Received(back);
    const conversations = next(back, "conversations");
    const list = await conversations;
    expect(again.seqs("rita|sam")).toEqual(range(52, 151));
    expect(list.find((c) => c.conv === "rita|sam")).toMatchObject({ peer: "sam", lastSeq: 151 });
    expectSameAsServer(again.of("rita|sam"), await serverHistory(back, "sam", 151).then((h) => h.slice(51)));
    expect(back.syncState().cursors).toEqual({ "rita|sam": 151 });
  });

  it("gives a new device its roaming set within the app's limits", async () => {
    const small = await startGatewayNode({}, { limits: { roamingConversations: 2, roamingPerConversation: 5 } });
    try {
      const [tz, t1, t2, t3] = await Promise.all(["zed", "p1", "p2", "p3"].map((a) => small.createAccount(a)));
      const peers = [await small.device("p1", t1!, "d"), await small.device("p2", t2!, "d"), await small.device("p3", t3!, "d")];
      for (const [i, p] of peers.entries()) {
        for (let n = 1; n <= 8; n++) await p.sendText("zed", `p${i + 1} #${n}`);
        await sleep(5); // distinct update times: p3's conversation is the newest
      }
      const fresh = await small.device("zed", tz!, "new-laptop");
      const got = new Received(fresh);
      const list = await next(fresh, "conversations");
      expect(list.map((c) => c.peer)).toEqual(["p3", "p2"]);
      expect([...got.byConv.keys()].sort()).toEqual(["p2|zed", "p3|zed"]);
      expect(got.seqs("p3|zed")).toEqual(range(4, 8));
      expect(got.seqs("p2|zed")).toEqual(range(4, 8));
      // Older messages come from history, on demand.
      expect((await fresh.history("p1", { limit: 3 })).map((m) => m.seq)).toEqual([8, 7, 6]);
    } finally {
      await small.close();
    }
  });

  it("resends after a drop between send and ack with the same clientMsgId: one message", async () => {
    const sender = await device("sia", "s1", { reconnect: { minDelayMs: 200, jitter: 0 } });
    const peer = await device("tom", "t1");
    const got = new Received(peer);
    const reconnected = next(sender, "reconnected");
    const sending = sender.sendText("tom", "through a drop");
    dropSocket(sender);
    await reconnected;
    const ack = await sending;
    const history = await sender.history("tom");
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ seq: ack.seq, msgid: ack.msgid, clientMsgId: ack.clientMsgId, body: { msg: "through a drop" } });
    await got.reach("sia|tom", 1);
    await sleep(200);
    expect(got.seqs("sia|tom")).toEqual([1]);
  });

  it("a stored message whose ack was lost is answered by its first ack again (duplicate), not stored twice", async () => {
    const sender = await device("ugo", "u1", { reconnect: { minDelayMs: 200, jitter: 0 } });
    const peer = await device("una", "n1");
    const got = new Received(peer);
    // Cut the sender's link after the message is stored and before its ack leaves the server.
    const messaging = gw.node.messaging;
    const original = messaging.send;
    let first: SendAck | undefined;
    messaging.send = async (appKey, conv, input) => {
      const ack = await original.call(messaging, appKey, conv, input);
      if (!first && input.from === "ugo") {
        first = ack;
        dropSocket(sender);
        await sleep(50);
      }
      return ack;
    };
    try {
      const ack = await sender.sendText("una", "stored once");
      expect(first).toBeDefined();
      expect(ack).toEqual({ ...first, duplicate: true });
    } finally {
      messaging.send = original;
    }
    expect((await sender.history("una")).map((m) => m.seq)).toEqual([first!.seq]);
    await got.reach("ugo|una", 1);
    await sleep(200);
    expect(got.seqs("ugo|una")).toEqual([1]);
  });

  it("after a resume that lost pushes, syncs and emits the rest in order without duplicates", async () => {
    const lossy = await startGatewayNode({ resumeBufferFrames: 5 });
    try {
      const [tx, ty] = [await lossy.createAccount("xia"), await lossy.createAccount("yan")];
      const sender = await lossy.device("xia", tx, "x1");
      const receiver = await lossy.device("yan", ty, "y1", { reconnect: { minDelayMs: 1000, jitter: 0 } });
      await receiver.synced();
      const got = new Received(receiver);
      await sender.sendText("yan", "first");
      await got.reach("xia|yan", 1);
      dropSocket(receiver);
      await until(() => lossy.node.gateway.localDevices(lossy.appKey, "yan")[0]?.state === "resuming", 3000, "the drop");
      for (let i = 2; i <= 20; i++) await sender.sendText("yan", `missed ${i}`);
      const back = await next(receiver, "reconnected", 5000);
      expect(back).toMatchObject({ resumed: true, lost: 14 });
      await next(receiver, "conversations");
      await got.reach("xia|yan", 20);
      await sleep(200);
      expect(got.seqs("xia|yan")).toEqual(range(1, 20));
    } finally {
      await lossy.close();
    }
  });

  it("fills a gap in the pushes from history", async () => {
    const sender = await device("gap", "g1");
    const receiver = await device("gip", "g2");
    const got = new Received(receiver);
    await sender.sendText("gip", "1");
    await got.reach("gap|gip", 1);
    // Lose the pushes of seq 2 and 3 to the receiver, as a network would.
    const bus = gw.node.bus;
    const publish = bus.publish.bind(bus);
    bus.publish = (subject, data) => {
      const ev = decodeUserEvent(data);
      if (subject.endsWith(".gip") && ev.ev === "msg" && (ev.seq === 2 || ev.seq === 3)) return;
      publish(subject, data);
    };
    try {
      await sender.sendText("gip", "2");
      await sender.sendText("gip", "3");
      await sender.sendText("gip", "4");
      await got.reach("gap|gip", 4);
    } finally {
      bus.publish = publish;
    }
    expect(got.seqs("gap|gip")).toEqual([1, 2, 3, 4]);
    expect(got.of("gap|gip").map((m) => m.body.msg)).toEqual(["1", "2", "3", "4"]);
  });

  it("delivers a recall to both sides' devices", async () => {
    const [a1, a2, b1] = [await device("rae", "a1"), await device("rae", "a2"), await device("rob", "b1")];
    const recalls = [a1, a2, b1].map((c) => record(c, "recall"));
    const ack = await a1.sendText("rob", "oops");
    const answer = await a1.recall("rob", ack.msgid);
    expect(answer).toMatchObject({ conv: "rae|rob", msgid: ack.msgid, seq: ack.seq, by: "rae" });
    for (const r of recalls) await until(() => r.length === 1, 3000, "the recall on every device");
    for (const r of recalls) expect(r[0]).toEqual(answer);
    expect((await b1.history("rae"))[0]).toMatchObject({ seq: ack.seq, recalled: true });
    // Only the sender may recall: the peer is refused.
    expect(await codeOf(b1.recall("rae", ack.msgid))).toBe(403);
  });

  it("sends a read receipt to the peer's devices", async () => {
    const [a1, a2, b1] = [await device("ria", "a1"), await device("ria", "a2"), await device("rus", "b1")];
    const receipts = [a1, a2].map((c) => record(c, "receipt"));
    const got = new Received(b1);
    const ack = await a1.sendText("rus", "read me");
    await got.reach("ria|rus", ack.seq);
    const receipt = await b1.markRead("ria", ack.seq);
    expect(receipt).toMatchObject({ conv: "ria|rus", reader: "rus", seq: ack.seq });
    for (const r of receipts) await until(() => r.length === 1, 3000, "the receipt on the sender's devices");
    for (const r of receipts) expect(r[0]).toEqual(receipt);
    await until(
      async () => (await b1.conversations()).find((c) => c.conv === "ria|rus")?.readSeq === ack.seq,
      3000,
      "the reader's conversation to show it read",
    );
  });

  it("delivers a custom notification (typing) to the peer's online devices only, and never stores it", async () => {
    const [a1, a2, b1, b2] = [await device("tia", "a1"), await device("tia", "a2"), await device("tyr", "b1"), await device("tyr", "b2")];
    const seen = [a1, a2, b1, b2].map((c) => record(c, "notification"));
    const sent = await a1.notify("tyr", JSON.stringify({ typing: true }));
    expect(sent).toMatchObject({ from: "tia", to: "tyr", stored: false, seq: 0 });
    await until(() => seen[2]!.length === 1 && seen[3]!.length === 1, 3000, "the notification on the peer's devices");
    await sleep(200);
    expect(seen[2]).toEqual([sent]);
    expect(seen[3]).toEqual([sent]);
    expect(seen[0]).toEqual([]);
    expect(seen[1]).toEqual([]);
    expect(await codeOf(a1.notify("no-such-user", "x"))).toBe(404);

    // A device that logs in later hears nothing of it: not in the sync, not as a message.
    const later = await gw.device("tyr", await account("tyr"), "b3");
    const late = record(later, "notification");
    const result = await later.request<{ notifications: unknown[]; messages: object }>("sync", {});
    expect(result.notifications).toEqual([]);
    expect(result.messages).toEqual({});
    await later.synced();
    expect(late).toEqual([]);
  });

  it("drops a custom notification to a recipient who blacklisted the sender, without telling the sender", async () => {
    const sender = await device("bly", "s1");
    const target = await device("blz", "t1");
    const notes = record(target, "notification");
    const res = await gw.call("user/setSpecialRelation", { accid: "blz", targetAcc: "bly", relationType: "1", value: "1" });
    expect(res.code).toBe(200);
    expect(await sender.notify("blz", "typing")).toMatchObject({ stored: false });
    await sleep(300);
    expect(notes).toEqual([]);
  });

  it("brings a stored notification at the next login, once", async () => {
    const b1 = await device("sue", "b1");
    await account("sys");
    const saved = b1.syncState();
    await b1.logout();
    const stored = await gw.node.messaging.notify(gw.appKey, { from: "sys", to: "sue", attach: '{"friendRequest":"sys"}', save: true });
    expect(stored).toMatchObject({ stored: true, seq: 1 });

    const back = await gw.device("sue", await account("sue"), "b1", { syncState: saved });
    const notes = record(back, "notification");
    await next(back, "conversations");
    expect(notes).toEqual([stored]);
    expect(back.syncState().notificationCursor).toBe(1);

    // Online, the next stored one arrives as a push; a later login does not repeat either.
    const live = await gw.node.messaging.notify(gw.appKey, { from: "sys", to: "sue", attach: "second", save: true });
    await until(() => notes.length === 2, 3000, "the pushed notification");
    expect(notes[1]).toEqual(live);
    const state = back.syncState();
    await back.logout();
    const third = await gw.device("sue", await account("sue"), "b1", { syncState: state });
    const none = record(third, "notification");
    await next(third, "conversations");
    expect(none).toEqual([]);
  });
});
