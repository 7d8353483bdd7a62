import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatroomHandle, ChatroomKickReason, ChatroomNotificationKind as Kind, enterChatroom, NimbusClientError } from "nimbus/client";
import { startGatewayNode, until, type GatewayNode } from "./support.ts";
import { ChatroomDelivery, ChatroomFrames, chatroomSubject, encodeChatroomEvent } from "../../src/protocol/chatroom.ts";
import { collect, createRoom, enter, nextOf, restSend } from "./chatroom-support.ts";

const BUDGET = 1;

describe("chat rooms over the room edge: enter, send, receive, roles, the queue", () => {
  let gw: GatewayNode;
  const tokens: Record<string, string> = {};
  const handles: ChatroomHandle[] = [];

  beforeAll(async () => {
    gw = await startGatewayNode({}, { limits: { chatroomReceivePerSecond: BUDGET } });
    for (const a of ["host", "v1", "v2", "v3", "late", "spam", "bad"]) tokens[a] = await gw.createAccount(a);
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.leave()));
    await gw.close();
  });

  async function member(roomid: number, accid: string): Promise<ChatroomHandle> {
    const h = await enter(gw, roomid, accid, tokens[accid]!);
    handles.push(h);
    return h;
  }

  it("every member gets every other member's message once, in order; the sender gets its ack, not a push", async () => {
    const roomid = await createRoom(gw, "host");
    const [host, v1, v2] = [await member(roomid, "host"), await member(roomid, "v1"), await member(roomid, "v2")];
    expect(host.welcome).toMatchObject({
      roomid,
      accid: "host",
      role: "CREATOR",
      muted: false,
      receiveBudget: { normal: BUDGET, high: 10 },
    });
    expect(v1.welcome.role).toBe("GUEST");
    const got = { host: collect(host, "message"), v1: collect(v1, "message"), v2: collect(v2, "message") };
    // High priority, so the test's budget of one a second drops none of them.
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await v1.send(0, `m${i}`, { highPriority: true }));
    for (let i = 5; i < 8; i++) acks.push(await host.send(100, JSON.stringify({ gift: i }), { highPriority: true }));
    expect(acks.map((a) => a.message.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await until(() => got.v2.length >= 8, 5000, "v2 to get 8 messages");
    expect(got.v2.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(got.v2[0]).toMatchObject({ roomid, from: "v1", type: 0, attach: "m0", highPriority: true });
    await until(() => got.host.length >= 5 && got.v1.length >= 3, 5000, "host and v1");
    expect(got.host.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(got.v1.map((m) => m.seq)).toEqual([6, 7, 8]);
    // A resend answers the first ack and reaches nobody again.
    const again = await v1.send(0, "m0", { clientMsgId: acks[0]!.message.clientMsgId });
    expect(again).toMatchObject({ duplicate: true, message: { seq: 1 } });
    // Edges report their counts a moment after entries change.
    await until(async () => (await v2.info()).onlineusercount === 3, 5000, "3 online");
    expect(await v2.info()).toMatchObject({ roomid, creator: "host", valid: true });
  });

  it("a room keeps no offline messages, but its history has them", async () => {
    const roomid = await createRoom(gw, "host");
    const v3 = await member(roomid, "v3");
    await restSend(gw, roomid, "host", "o1", "while in");
    await v3.leave();
    await restSend(gw, roomid, "host", "o2", "while out");
    await restSend(gw, roomid, "host", "o3", "also out", { skipHistory: "1" });
    const back = await member(roomid, "v3");
    const pushed = collect(back, "message");
    await restSend(gw, roomid, "host", "o4", "back", { highPriority: "true" });
    await until(() => pushed.length >= 1, 5000, "the new message");
    expect(pushed.map((m) => m.attach)).toEqual(["back"]);
    const hist = await back.history({ limit: 10 });
    expect(hist.map((m) => m.attach)).toEqual(["back", "while out", "while in"]);
  });

  it("membersByPage type 1 lists the accounts in the room that are not fixed members, newest entry first", async () => {
    const roomid = await createRoom(gw, "host");
    await member(roomid, "host");
    const v1 = await enter(gw, roomid, "v1", tokens.v1!, { nick: "Vee", ext: '{"lvl":3}' });
    handles.push(v1);
    await member(roomid, "v2");
    type Row = { accid: string; type: string; onlineStat: boolean; nick: string; ext: string; enterTime: number };
    const page = async (endtime: string, limit = "10") => {
      const res = await gw.call("chatroom/membersByPage", { roomid: String(roomid), type: "1", endtime, limit });
      expect(res.code).toBe(200);
      return (res.desc as unknown as { data: Row[] }).data;
    };
    const all = await page("0");
    expect(all.map((m) => [m.accid, m.type, m.onlineStat])).toEqual([
      ["v2", "GUEST", true],
      ["v1", "GUEST", true],
    ]);
    expect(all[1]).toMatchObject({ nick: "Vee", ext: '{"lvl":3}' });
    // The fixed members' listing does not hold guests, and endtime pages back from a guest's entry.
    expect((await page(String(all[1]!.enterTime))).map((m) => m.accid)).toEqual(["v1"]);
    expect((await page("0", "1")).map((m) => m.accid)).toEqual(["v2"]);
    await v1.leave();
    await until(async () => (await page("0")).length === 1, 5000, "v1 to be gone from the guests");
    expect((await page("0")).map((m) => m.accid)).toEqual(["v2"]);
  });

  it("a high-priority message is written again to an account back within 30 s, unless sent with needHighPriorityMsgResend false", async () => {
    const roomid = await createRoom(gw, "host");
    await member(roomid, "host");
    await member(roomid, "v1");
    const away = await enter(gw, roomid, "v3", tokens.v3!);
    await away.leave();
    await restSend(gw, roomid, "host", "hp-1", "again", { highPriority: "true" });
    await restSend(gw, roomid, "host", "hp-2", "once", { highPriority: "true", needHighPriorityMsgResend: "false" });
    await restSend(gw, roomid, "host", "hp-3", "normal");
    // Listening before the entry: what is written again follows the welcome at once.
    const back = new ChatroomHandle(roomid, { url: gw.url, appKey: gw.appKey, accid: "v3", token: tokens.v3! });
    const got = collect(back, "message");
    await back.open();
    handles.push(back);
    await until(() => got.length >= 1, 5000, "the high-priority message again");
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((m) => [m.attach, m.highPriority])).toEqual([["again", true]]);
  });

  it("a member's receive budget drops normal messages of others beyond it, never high-priority ones or its own", async () => {
    const roomid = await createRoom(gw, "host");
    const viewer = await member(roomid, "spam");
    const got = collect(viewer, "message");
    const N = 40;
    // Normal messages of another account, all at once: far more than one a second.
    await Promise.all(Array.from({ length: N }, (_, i) => restSend(gw, roomid, "host", `n${i}`, `normal ${i}`)));
    // Ten high-priority ones (the room's limit a second), and the viewer's own, sent from the app server.
    await Promise.all(Array.from({ length: 10 }, (_, i) => restSend(gw, roomid, "host", `h${i}`, `high ${i}`, { highPriority: "true" })));
    await Promise.all(Array.from({ length: 10 }, (_, i) => restSend(gw, roomid, "spam", `own${i}`, `own ${i}`)));
    await until(() => got.filter((m) => m.attach.startsWith("own")).length === 10, 5000, "own messages");
    const normal = got.filter((m) => m.attach.startsWith("normal"));
    expect(normal.length).toBeLessThan(N);
    expect(got.filter((m) => m.attach.startsWith("high")).length).toBe(10);
    // What did arrive came once and in order.
    const seqs = got.map((m) => m.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(gw.node.gateway.stats().chatrooms?.droppedByBudget).toBeGreaterThanOrEqual(N - normal.length);
  });

  it("roles and mutes reach the room as notifications, and NIM's codes refuse the muted, the blacklisted and a closed room", async () => {
    const roomid = await createRoom(gw, "host");
    const id = String(roomid);
    const host = await member(roomid, "host");
    const bad = await member(roomid, "bad");
    const notes = collect(host, "notification");

    expect(
      (await gw.call("chatroom/setMemberRole", { roomid: id, operator: "host", target: "bad", opt: "-2", optvalue: "true" })).code,
    ).toBe(200);
    await until(() => notes.some((n) => n.id === Kind.MUTE_ADD), 5000, "the mute notification");
    expect(notes.find((n) => n.id === Kind.MUTE_ADD)).toMatchObject({ operator: "host", targets: ["bad"] });
    const muted = await bad.send(0, "hi").catch((e: unknown) => e);
    expect(muted).toBeInstanceOf(NimbusClientError);
    expect((muted as NimbusClientError).code).toBe(13004);

    expect((await gw.call("chatroom/temporaryMute", { roomid: id, operator: "host", target: "v2", muteDuration: "30" })).code).toBe(200);
    await until(() => notes.some((n) => n.id === Kind.TEMP_MUTE_ADD), 5000, "the temporary mute notification");
    expect(notes.find((n) => n.id === Kind.TEMP_MUTE_ADD)?.data).toEqual({ muteDuration: 30 });

    const kicked = nextOf(bad, "kicked");
    expect(
      (await gw.call("chatroom/setMemberRole", { roomid: id, operator: "host", target: "bad", opt: "-1", optvalue: "true" })).code,
    ).toBe(200);
    expect(await kicked).toEqual({ roomid, reason: ChatroomKickReason.BLACKLISTED });
    await until(() => bad.state === "closed", 5000, "the blacklisted member out");
    const refused = await enter(gw, roomid, "bad", tokens.bad!).catch((e: unknown) => e);
    expect((refused as NimbusClientError).code).toBe(13003);

    const v1 = await member(roomid, "v1");
    const out = nextOf(v1, "kicked");
    expect((await gw.call("chatroom/kickMember", { roomid: id, targetAccid: "v1", accid: "host", notifyExt: "bye" })).code).toBe(200);
    expect(await out).toEqual({ roomid, reason: ChatroomKickReason.KICKED, ext: "bye" });
    await until(() => notes.some((n) => n.id === Kind.KICKED), 5000, "the kick notification");

    expect((await gw.call("chatroom/update", { roomid: id, announcement: "news", notifyExt: "n" })).code).toBe(200);
    await until(() => notes.some((n) => n.id === Kind.INFO_UPDATED), 5000, "the update notification");
    expect(notes.find((n) => n.id === Kind.INFO_UPDATED)).toMatchObject({ ext: "n", data: { announcement: "news" } });

    const closed = nextOf(host, "kicked");
    expect((await gw.call("chatroom/toggleCloseStat", { roomid: id, operator: "host", valid: "false" })).code).toBe(200);
    expect(await closed).toEqual({ roomid, reason: ChatroomKickReason.CLOSED });
    const late = await enter(gw, roomid, "late", tokens.late!).catch((e: unknown) => e);
    expect((late as NimbusClientError).code).toBe(13002);
    expect((await enter(gw, roomid, "late", "wrong-token").catch((e: unknown) => e)) as NimbusClientError).toMatchObject({ code: 302 });
  });

  it("after a dropped connection the SDK enters again and emits what it missed from history, once and in order", async () => {
    const roomid = await createRoom(gw, "host");
    const h = await enter(gw, roomid, "late", tokens.late!, { reconnect: { minDelayMs: 600, maxDelayMs: 1000, jitter: 0 } });
    handles.push(h);
    const got = collect(h, "message");
    await restSend(gw, roomid, "host", "d1", "before", { highPriority: "true" });
    await until(() => got.length === 1, 5000, "the first message");
    const back = nextOf(h, "reconnected");
    const transport = h.connection?.connection.transport as unknown as { ws: { terminate(): void } };
    transport.ws.terminate();
    await until(() => h.state === "reconnecting", 5000, "the drop noticed");
    // Sent while the handle waits to enter again: only history can give them to it.
    await restSend(gw, roomid, "host", "d2", "while away 1");
    await restSend(gw, roomid, "host", "d3", "while away 2");
    await back;
    await restSend(gw, roomid, "host", "d4", "after", { highPriority: "true" });
    await until(() => got.length >= 4, 5000, "four messages");
    expect(got.map((m) => m.attach)).toEqual(["before", "while away 1", "while away 2", "after"]);
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it("a message to some members reaches only their clients; a member's updated info reaches the room as 316", async () => {
    const roomid = await createRoom(gw, "host");
    const [v1, v3] = [await member(roomid, "v1"), await member(roomid, "v3")];
    const got1 = collect(v1, "message");
    const got3 = collect(v3, "message");
    const notes = collect(v3, "notification");
    const res = await gw.call("chatroom/sendMsgToSomeone", {
      roomid: String(roomid),
      fromAccid: "host",
      toAccids: JSON.stringify(["v1"]),
      msgId: "dm1",
      msgType: "0",
      attach: "for v1",
      highPriority: "true",
    });
    expect(res.code).toBe(200);
    const batch = await gw.call("chatroom/batchSendMsgToSomeone", {
      roomid: String(roomid),
      fromAccid: "host",
      toAccids: JSON.stringify(["v1"]),
      msgList: JSON.stringify([
        { msgId: "dm2", msgType: 0, attach: "v1 again", highPriority: true },
        { msgId: "dm3", msgType: 0, attach: "v1 once more", highPriority: true },
      ]),
    });
    expect(batch.code).toBe(200);
    // A resend of a message to some is answered, not sent again.
    const resent = await gw.call("chatroom/sendMsgToSomeone", {
      roomid: String(roomid),
      fromAccid: "host",
      toAccids: JSON.stringify(["v1"]),
      msgId: "dm1",
      msgType: "0",
      attach: "for v1",
      highPriority: "true",
    });
    expect((resent.desc as unknown as { msgid: number }).msgid).toBe((res.desc as unknown as { msgid: number }).msgid);
    await restSend(gw, roomid, "host", "all1", "for all", { highPriority: "true" });
    await until(() => got3.length >= 1 && got1.length >= 4, 5000, "the messages");
    expect(got1.map((m) => m.attach)).toEqual(["for v1", "v1 again", "v1 once more", "for all"]);
    expect(got3.map((m) => m.attach)).toEqual(["for all"]);
    expect((await gw.call("chatroom/updateMyRoomRole", { roomid: String(roomid), accid: "v1", nick: "Vee", notifyExt: "n" })).code).toBe(
      200,
    );
    await until(() => notes.some((n) => n.id === Kind.MY_ROLE_UPDATED), 5000, "notification 316");
    expect(notes.find((n) => n.id === Kind.MY_ROLE_UPDATED)).toMatchObject({
      operator: "v1",
      targets: ["v1"],
      ext: "n",
      data: { nick: "Vee" },
    });
  });

  it("a broadcast reaches the members of every room of the app once, and no room's history", async () => {
    const [r1, r2] = [await createRoom(gw, "host"), await createRoom(gw, "host")];
    const [a, b] = [await member(r1, "v1"), await member(r2, "v3")];
    const [gotA, gotB] = [collect(a, "message"), collect(b, "message")];
    const res = await gw.call("chatroom/broadcast", {
      fromAccid: "host",
      msgId: "all-1",
      msgType: "0",
      attach: "to everyone",
      highPriority: "true",
    });
    expect(res.code).toBe(200);
    // A resend is the same broadcast: answered again, not sent again.
    const again = await gw.call("chatroom/broadcast", {
      fromAccid: "host",
      msgId: "all-1",
      msgType: "0",
      attach: "to everyone",
      highPriority: "true",
    });
    expect((again.desc as unknown as { msgid: number }).msgid).toBe((res.desc as unknown as { msgid: number }).msgid);
    const second = await gw.call("chatroom/broadcast", {
      fromAccid: "host",
      msgId: "all-2",
      msgType: "0",
      attach: "again",
      highPriority: "true",
    });
    expect(second.code).toBe(200);
    await restSend(gw, r1, "host", "after-all", "room one only", { highPriority: "true" });
    await until(() => gotA.length >= 3 && gotB.length >= 2, 5000, "the broadcasts in both rooms");
    expect(gotA.map((m) => m.attach)).toEqual(["to everyone", "again", "room one only"]);
    expect(gotB.map((m) => [m.attach, m.roomid, m.seq])).toEqual([
      ["to everyone", 0, 0],
      ["again", 0, 0],
    ]);
    expect(await b.history()).toEqual([]);
  });

  it("one client per account per room: entering again puts the older client out", async () => {
    const roomid = await createRoom(gw, "host");
    const first = await member(roomid, "v2");
    const out = nextOf(first, "kicked");
    const second = await member(roomid, "v2");
    expect(await out).toEqual({ roomid, reason: ChatroomKickReason.ENTERED_ELSEWHERE });
    expect(second.state).toBe("in");
  });

  it("the queue: concurrent offers are kept and announced in one order; a transient element goes when its member leaves", async () => {
    const roomid = await createRoom(gw, "host");
    const host = await member(roomid, "host");
    const others = [await member(roomid, "v1"), await member(roomid, "v3")];
    const changes = collect(host, "queue");
    await Promise.all(others.flatMap((h, i) => Array.from({ length: 5 }, (_, j) => h.queueOffer(`k${i}-${j}`, `v${i}-${j}`))));
    await host.queueOffer("mic", "host", { transient: false });
    const list = await host.queueList();
    expect(list).toHaveLength(11);
    await until(() => changes.length >= 11, 5000, "11 queue changes");
    expect(changes.map((c) => c.key)).toEqual(list.map((e) => e.key));
    // Each member's own offers keep their order.
    for (let i = 0; i < 2; i++) {
      const mine = list.filter((e) => e.key.startsWith(`k${i}-`)).map((e) => e.key);
      expect(mine).toEqual([0, 1, 2, 3, 4].map((j) => `k${i}-${j}`));
    }
    await others[0]!.queueOffer("seat", "v1", { transient: true });
    expect((await host.queueList()).map((e) => e.key)).toContain("seat");
    await others[0]!.leave();
    await until(async () => !(await host.queueList()).some((e) => e.key === "seat"), 5000, "the transient element gone");
    expect(changes.at(-1)).toMatchObject({ op: "transientRemoved", key: "seat", operator: "v1" });
    expect(await host.queuePoll()).toEqual(list[0]);
  });
});

describe("chat rooms where the app allows anonymous viewers and several clients per account", () => {
  let gw: GatewayNode;
  let token = "";
  const handles: ChatroomHandle[] = [];

  beforeAll(async () => {
    gw = await startGatewayNode({}, { limits: { chatroomAnonymous: true, chatroomMultiClient: true } });
    token = await gw.createAccount("star");
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.leave()));
    await gw.close();
  });

  it("an anonymous viewer watches and reads history, and may not speak or queue", async () => {
    const roomid = await createRoom(gw, "star");
    const viewer = await enterChatroom(roomid, { url: gw.url, appKey: gw.appKey });
    handles.push(viewer);
    expect(viewer.welcome).toMatchObject({ role: "ANONYMOUS", muted: true });
    expect(viewer.welcome.accid).toMatch(/^anonymous:/);
    const got = collect(viewer, "message");
    await restSend(gw, roomid, "star", "a1", "hello all", { highPriority: "true" });
    await until(() => got.length === 1, 5000, "the message");
    expect((await viewer.history()).map((m) => m.attach)).toEqual(["hello all"]);
    for (const refused of [viewer.sendText("me too"), viewer.queueOffer("k", "v")]) {
      expect(((await refused.catch((e: unknown) => e)) as NimbusClientError).code).toBe(403);
    }
  });

  it("one account may be in a room from several clients at once", async () => {
    const roomid = await createRoom(gw, "star");
    const [a, b] = [await enter(gw, roomid, "star", token), await enter(gw, roomid, "star", token)];
    handles.push(a, b);
    const kicked = collect(a, "kicked");
    const got = collect(a, "message");
    const sent = await b.sendText("from my other client");
    await until(() => got.length === 1, 5000, "the other client's message");
    expect(got[0]!.seq).toBe(sent.message.seq);
    expect(kicked).toEqual([]);
    expect(a.state).toBe("in");
  });
});

describe("chat rooms where the app does not allow anonymous viewers", () => {
  it("refuses an entry without an account with 403", async () => {
    const gw = await startGatewayNode();
    try {
      await gw.createAccount("owner");
      const roomid = await createRoom(gw, "owner");
      const refused = (await enterChatroom(roomid, { url: gw.url, appKey: gw.appKey }).catch((e: unknown) => e)) as NimbusClientError;
      expect(refused.code).toBe(403);
      expect(refused.message).toMatch(/^accid: /);
    } finally {
      await gw.close();
    }
  });
});

describe("a chat room member whose socket falls behind", () => {
  it("is dropped with 4415 once its send buffer passes the bound, and the room goes on", async () => {
    // Pings far apart, so only the buffer bound can end the member while it does not read.
    const gw = await startGatewayNode({ pingIntervalMs: 120_000 }, { limits: { chatroomReceivePerSecond: 1_000_000 } });
    try {
      const token = await gw.createAccount("slow");
      await gw.createAccount("src");
      const roomid = await createRoom(gw, "src");
      const slow = await enter(gw, roomid, "slow", token, { reconnect: { enabled: false } });
      const closed = nextOf(slow, "closed", 60_000);
      // The client stops reading: what the node writes piles up in the kernel, then in the node.
      const transport = slow.connection?.connection.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } };
      transport.ws._socket.pause();
      // Published on the room's subject as the room's actor would, 64 KB each: high priority, so no budget drops them.
      const body = { roomid, seq: 0, msgid: 1, clientMsgId: "big", from: "src", time: Date.now(), type: 0, attach: "x".repeat(64 * 1024) };
      const event = encodeChatroomEvent(ChatroomFrames.MESSAGE, body, ChatroomDelivery.HIGH, "src");
      let published = 0;
      while ((gw.node.gateway.stats().chatrooms?.members ?? 0) > 0 && published < 2000) {
        for (let i = 0; i < 20; i++) gw.node.bus.publish(chatroomSubject(gw.appKey, roomid), event);
        published += 20;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(gw.node.gateway.stats().chatrooms?.members).toBe(0);
      // It took more than the kernel holds: the bound was reached in the node, not before.
      expect(published * 64 * 1024).toBeGreaterThan(4 * 1024 * 1024);
      transport.ws._socket.resume();
      expect((await closed).code).toBe(4415);
      // The room itself is fine.
      expect((await restSend(gw, roomid, "src", "after", "still here")).seq).toBe(1);
    } finally {
      await gw.close();
    }
  }, 90_000);
});
