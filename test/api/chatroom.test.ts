import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode, type NimResponse } from "../support/nim-api.ts";
import { createUsers } from "../support/messaging.ts";

interface Room {
  roomid: number;
  name: string;
  creator: string;
  valid: boolean;
  muted: boolean;
  queuelevel: number;
  announcement: string;
  onlineusercount?: number;
}

describeOnEachStore("server API: chatroom/* info, roles, queue, messages", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "host", "mgr", "viewer", "other", "lim");
  });
  afterAll(async () => api.close());

  async function ok(path: string, params: Record<string, string>): Promise<NimResponse> {
    const res = await api.call(path, params);
    expect(res, `${path} ${JSON.stringify(params)}`).toMatchObject({ code: 200 });
    return res;
  }

  async function newRoom(creator = "host", extra: Record<string, string> = {}): Promise<Room> {
    return (await ok("chatroom/create", { creator, name: "live", ...extra })).chatroom as Room;
  }

  it("creates, gets, updates and closes a room; only its creator may close it", async () => {
    const room = await newRoom("host", { announcement: "welcome", queuelevel: "1" });
    expect(room).toMatchObject({ name: "live", creator: "host", valid: true, muted: false, queuelevel: 1, announcement: "welcome" });
    expect(room.roomid).toBeGreaterThan(0);
    const got = (await ok("chatroom/get", { roomid: String(room.roomid), needOnlineUserCount: "true" })).chatroom as Room;
    expect(got).toMatchObject({ ...room, onlineusercount: 0 });

    const updated = (await ok("chatroom/update", { roomid: String(room.roomid), name: "live 2", ext: "e" })).chatroom as Room;
    expect(updated).toMatchObject({ name: "live 2", announcement: "welcome" });

    expect(await api.call("chatroom/toggleCloseStat", { roomid: String(room.roomid), operator: "mgr", valid: "false" })).toMatchObject({
      code: 403,
    });
    const closed = await ok("chatroom/toggleCloseStat", { roomid: String(room.roomid), operator: "host", valid: "false" });
    expect(closed.desc).toMatchObject({ valid: false });
    // A closed room takes no messages (13002) and no addresses are handed out for it.
    expect(
      await api.call("chatroom/sendMsg", { roomid: String(room.roomid), msgId: "c1", fromAccid: "host", msgType: "0", attach: "hi" }),
    ).toMatchObject({
      code: 13002,
    });
    expect(await api.call("chatroom/requestAddr", { roomid: String(room.roomid), accid: "viewer" })).toMatchObject({ code: 13002 });
    await ok("chatroom/toggleCloseStat", { roomid: String(room.roomid), operator: "host", valid: "true" });
    const addr = await ok("chatroom/requestAddr", { roomid: String(room.roomid), accid: "viewer" });
    expect(addr.addr).toEqual([api.node.address]);
  });

  it("refuses what NIM refuses: unknown room 404, unknown creator 404, too long a name 414, a 201st room of one creator 419", async () => {
    expect(await api.call("chatroom/get", { roomid: "999999999" })).toMatchObject({ code: 404 });
    expect(await api.call("chatroom/create", { creator: "nobody", name: "x" })).toMatchObject({ code: 404 });
    const long = await api.call("chatroom/create", { creator: "other", name: "x".repeat(129) });
    expect(long.code).toBe(414);
    expect(long.desc).toMatch(/^name: /);
    // Concurrent creates: the creator's actor counts them one at a time.
    for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 20 }, () => newRoom("other")));
    const over = await api.call("chatroom/create", { creator: "other", name: "x" });
    expect(over.code).toBe(419);
    const ids = (await ok("chatroom/queryUserRoomIds", { creator: "other" })).desc as unknown as { roomids: number[] };
    expect(new Set(ids.roomids).size).toBe(200);
    const some = ids.roomids.slice(0, 19);
    const batch = await ok("chatroom/getBatch", { roomids: JSON.stringify([...some, 999999999]) });
    expect((batch.succRooms as Room[]).map((r) => r.roomid)).toEqual(some);
    expect(batch.noExistRooms).toEqual([999999999]);
  });

  it("roles: managers by the creator only; blacklisted and muted members are refused with 13003 and 13004", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    // Only the creator names managers.
    expect(
      await api.call("chatroom/setMemberRole", { roomid: id, operator: "viewer", target: "mgr", opt: "1", optvalue: "true" }),
    ).toMatchObject({
      code: 403,
    });
    const made = await ok("chatroom/setMemberRole", { roomid: id, operator: "host", target: "mgr", opt: "1", optvalue: "true" });
    expect(made.desc).toEqual({ roomid: room.roomid, level: 0, accid: "mgr", type: "MANAGER" });
    // A manager may not act on the creator, nor name managers.
    expect(
      await api.call("chatroom/setMemberRole", { roomid: id, operator: "mgr", target: "host", opt: "-2", optvalue: "true" }),
    ).toMatchObject({
      code: 403,
    });
    await ok("chatroom/setMemberRole", { roomid: id, operator: "mgr", target: "viewer", opt: "-2", optvalue: "true" });
    const send = (from: string, msgId: string) =>
      api.call("chatroom/sendMsg", { roomid: id, msgId, fromAccid: from, msgType: "0", attach: "hello" });
    expect(await send("viewer", "m1")).toMatchObject({ code: 13004 });
    await ok("chatroom/setMemberRole", { roomid: id, operator: "mgr", target: "viewer", opt: "-2", optvalue: "false" });
    expect(await send("viewer", "m2")).toMatchObject({ code: 200 });

    await ok("chatroom/setMemberRole", { roomid: id, operator: "mgr", target: "lim", opt: "-1", optvalue: "true" });
    expect(await send("lim", "m3")).toMatchObject({ code: 13003 });

    await ok("chatroom/temporaryMute", { roomid: id, operator: "host", target: "viewer", muteDuration: "60" });
    expect(await send("viewer", "m4")).toMatchObject({ code: 13004 });
    const members = (await ok("chatroom/queryMembers", { roomid: id, accids: JSON.stringify(["viewer", "mgr", "lim", "host"]) }))
      .desc as unknown as {
      data: { accid: string; type: string; tempMuted: boolean; blacklisted: boolean }[];
    };
    expect(members.data.map((m) => [m.accid, m.type, m.tempMuted, m.blacklisted])).toEqual([
      ["viewer", "GUEST", true, false],
      ["mgr", "MANAGER", false, false],
      ["lim", "LIMITED", false, true],
      ["host", "CREATOR", false, false],
    ]);
    await ok("chatroom/temporaryMute", { roomid: id, operator: "host", target: "viewer", muteDuration: "0" });

    await ok("chatroom/muteRoom", { roomid: id, operator: "mgr", mute: "true" });
    expect(await send("viewer", "m5")).toMatchObject({ code: 13004 });
    expect(await send("mgr", "m6")).toMatchObject({ code: 200 });
    await ok("chatroom/muteRoom", { roomid: id, operator: "mgr", mute: "false" });

    const fixed = (await ok("chatroom/membersByPage", { roomid: id, type: "0", endtime: "0", limit: "10" })).desc as unknown as {
      data: { accid: string }[];
    };
    expect(fixed.data.map((m) => m.accid).sort()).toEqual(["host", "mgr"]);
  });

  it("the queue keeps offer order, updates a key in place, polls by key or head, and is dropped", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    for (const [key, value] of [
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
      ["a", "1b"],
    ]) {
      await ok("chatroom/queueOffer", { roomid: id, key: key!, value: value! });
    }
    expect((await ok("chatroom/queueList", { roomid: id })).desc).toEqual({ list: [{ a: "1b" }, { b: "2" }, { c: "3" }] });
    expect((await ok("chatroom/queuePoll", { roomid: id, key: "b" })).desc).toEqual({ key: "b", value: "2" });
    expect((await ok("chatroom/queuePoll", { roomid: id })).desc).toEqual({ key: "a", value: "1b" });
    const batch = await ok("chatroom/queueBatchUpdateElements", {
      roomid: id,
      operator: "host",
      elements: JSON.stringify({ c: "33", zz: "9" }),
    });
    expect(batch.desc).toEqual({ noExistElementKey: ["zz"] });
    expect((await ok("chatroom/queueList", { roomid: id })).desc).toEqual({ list: [{ c: "33" }] });
    await ok("chatroom/queueInit", { roomid: id, sizeLimit: "1" });
    expect(await api.call("chatroom/queueOffer", { roomid: id, key: "d", value: "4" })).toMatchObject({ code: 419 });
    await ok("chatroom/queueDrop", { roomid: id });
    expect((await ok("chatroom/queueList", { roomid: id })).desc).toEqual({ list: [] });
  });

  it("sends, deduplicates by msgId, recalls, and answers history newest first with skipHistory left out", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    const first = await ok("chatroom/sendMsg", { roomid: id, msgId: "h1", fromAccid: "viewer", msgType: "0", attach: "one" });
    const d1 = first.desc as unknown as { msgid: number; time: number; seq: number; msgid_client: string };
    expect(d1).toMatchObject({ seq: 1, msgid_client: "h1", fromAccount: "viewer", attach: "one", type: 0 });
    const again = await ok("chatroom/sendMsg", {
      roomid: id,
      msgId: "h1",
      fromAccid: "viewer",
      msgType: "0",
      attach: "one",
      resendFlag: "1",
    });
    expect((again.desc as unknown as { msgid: number }).msgid).toBe(d1.msgid);
    await ok("chatroom/sendMsg", { roomid: id, msgId: "h2", fromAccid: "viewer", msgType: "100", attach: '{"gift":1}' });
    await ok("chatroom/sendMsg", { roomid: id, msgId: "h3", fromAccid: "viewer", msgType: "0", attach: "not kept", skipHistory: "1" });
    await ok("chatroom/sendMsg", { roomid: id, msgId: "h4", fromAccid: "host", msgType: "0", attach: "four" });
    const hist = await ok("history/queryChatroomMsg", { roomid: id, accid: "viewer", timetag: "0", limit: "10" });
    expect((hist.msgs as { msgid_client: string }[]).map((m) => m.msgid_client)).toEqual(["h4", "h2", "h1"]);
    // NIM's history keys, which NIM's Java and Go SDKs read, beside sendMsg's.
    expect((hist.msgs as unknown[])[0]).toMatchObject({
      from: "host",
      fromAccount: "host",
      body: "four",
      sendtime: expect.any(Number),
      fromclienttype: 32,
    });
    const asc = await ok("history/queryChatroomMsg", { roomid: id, accid: "viewer", timetag: "0", limit: "2", reverse: "1", type: "0" });
    expect((asc.msgs as { msgid_client: string }[]).map((m) => m.msgid_client)).toEqual(["h1", "h4"]);

    // Another account may not reuse the id; a manager-less viewer may not recall someone else's message.
    expect(await api.call("chatroom/sendMsg", { roomid: id, msgId: "h1", fromAccid: "other", msgType: "0", attach: "x" })).toMatchObject({
      code: 414,
    });
    const recallOf = (operatorAcc: string) =>
      api.call("chatroom/recall", { roomid: id, msgTimetag: String(d1.time), fromAcc: "viewer", msgId: "h1", operatorAcc });
    expect(await recallOf("other")).toMatchObject({ code: 403 });
    expect(await recallOf("host")).toMatchObject({ code: 200 });
    const after = await ok("history/queryChatroomMsg", { roomid: id, accid: "viewer", timetag: "0", limit: "10" });
    expect((after.msgs as { msgid_client: string; attach: string; recalled?: boolean }[]).at(-1)).toMatchObject({
      msgid_client: "h1",
      attach: "",
      recalled: true,
    });
  });

  it("refuses bad messages with 414 naming the parameter", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    const bad = async (params: Record<string, string>, field: string) => {
      const res = await api.call("chatroom/sendMsg", { roomid: id, msgId: "b", fromAccid: "viewer", msgType: "0", attach: "x", ...params });
      expect(res.code).toBe(414);
      expect(res.desc).toMatch(new RegExp(`^${field}: `));
    };
    await bad({ msgType: "5" }, "msgType");
    await bad({ attach: "x".repeat(4097) }, "attach");
    await bad({ attach: "" }, "attach");
    await bad({ msgType: "100", attach: "[1]" }, "attach");
    await bad({ ext: "e".repeat(4097) }, "ext");
    await bad({ roomid: "abc" }, "roomid");
    const hist = await api.call("history/queryChatroomMsg", { roomid: id, accid: "viewer", timetag: "0", limit: "201" });
    expect(hist.code).toBe(414);
    expect((await api.call("history/queryChatroomMsg", { roomid: id, accid: "viewer", timetag: "0", limit: "10" })).size).toBe(0);
  });

  it("robots, members by role, a member's own info, queueMultiGet", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    const added = await ok("chatroom/addRobot", { roomid: id, accids: JSON.stringify(["viewer", "other", "ghost"]) });
    expect(added.desc).toEqual({ successAccids: ["viewer", "other"], failAccids: ["ghost"], oldAccids: [] });
    expect((await ok("chatroom/addRobot", { roomid: id, accids: JSON.stringify(["viewer"]) })).desc).toMatchObject({
      oldAccids: ["viewer"],
    });
    const robots = (await ok("chatroom/queryMembers", { roomid: id, accids: JSON.stringify(["viewer"]) })).desc as unknown as {
      data: { isRobot: boolean }[];
    };
    expect(robots.data[0]?.isRobot).toBe(true);
    expect((await ok("chatroom/removeRobot", { roomid: id, accids: JSON.stringify(["other", "mgr"]) })).desc).toEqual({
      successAccids: ["other"],
      failAccids: ["mgr"],
    });
    expect((await ok("chatroom/cleanRobot", { roomid: id })).desc).toEqual({ size: 1 });

    await ok("chatroom/setMemberRole", { roomid: id, operator: "host", target: "mgr", opt: "1", optvalue: "true" });
    await ok("chatroom/setMemberRole", { roomid: id, operator: "host", target: "lim", opt: "-1", optvalue: "true" });
    const byRole = async (roles: object) =>
      (
        (await ok("chatroom/queryMembersByRole", { roomid: id, roles: JSON.stringify(roles) })).desc as unknown as {
          data: { accid: string }[];
        }
      ).data
        .map((m) => m.accid)
        .sort();
    expect(await byRole({ creator: true, manager: true })).toEqual(["host", "mgr"]);
    expect(await byRole({ blacklist: true })).toEqual(["lim"]);
    expect((await api.call("chatroom/queryMembersByRole", { roomid: id, roles: '{"owner":true}' })).code).toBe(414);

    // Saved for a fixed member only.
    await ok("chatroom/updateMyRoomRole", { roomid: id, accid: "mgr", save: "true", nick: "Boss", avator: "http://a/b.png" });
    await ok("chatroom/updateMyRoomRole", { roomid: id, accid: "viewer", save: "true", nick: "Nobody" });
    const infos = (await ok("chatroom/queryMembers", { roomid: id, accids: JSON.stringify(["mgr", "viewer"]) })).desc as unknown as {
      data: { nick: string; avator: string }[];
    };
    expect(infos.data.map((m) => m.nick)).toEqual(["Boss", ""]);
    // A fixed member's saved nick goes with its messages.
    const sent = await ok("chatroom/sendMsg", { roomid: id, msgId: "nick1", fromAccid: "mgr", msgType: "0", attach: "x" });
    expect(sent.desc).toMatchObject({ msgid_client: "nick1" });
    const hist = await ok("history/queryChatroomMsg", { roomid: id, accid: "mgr", timetag: "0", limit: "1" });
    expect((hist.msgs as { fromNick: string }[])[0]?.fromNick).toBe("Boss");

    for (const [key, value] of [
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
    ]) {
      await ok("chatroom/queueOffer", { roomid: id, key: key!, value: value! });
    }
    expect((await ok("chatroom/queueMultiGet", { roomid: id, keys: '["c","a","zz"]' })).desc).toEqual({ list: [{ a: "1" }, { c: "3" }] });
  });

  it("queueBatchOffer offers in order, updates a queued key in place, answers what did not fit, and refuses bad elements", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    await ok("chatroom/queueInit", { roomid: id, sizeLimit: "3" });
    await ok("chatroom/queueOffer", { roomid: id, key: "a", value: "1" });
    const els = [
      { key: "b", value: "2", accid: "Viewer" },
      { key: "a", value: "1b" },
      { key: "c", value: "3" },
      { key: "d", value: "4" },
    ];
    const done = await ok("chatroom/queueBatchOffer", { roomid: id, operator: "mgr", elements: JSON.stringify(els) });
    expect(done.desc).toEqual({ failedKeys: ["d"], highPriority: false });
    expect((await ok("chatroom/queueList", { roomid: id })).desc).toEqual({ list: [{ a: "1b" }, { b: "2" }, { c: "3" }] });
    for (const [elements, code] of [
      ["not json", 414],
      [JSON.stringify([{ key: "", value: "x" }]), 414],
      [JSON.stringify([{ key: "k", value: "x", extra: 1 }]), 414],
      [JSON.stringify([{ key: "k", value: "x", accid: "nobody" }]), 404],
    ] as const) {
      const res = await api.call("chatroom/queueBatchOffer", { roomid: id, elements });
      expect(res.code).toBe(code);
      expect(String(res.desc)).toMatch(/elements/);
    }
    // Nothing of the refused calls changed the queue.
    expect((await ok("chatroom/queueList", { roomid: id })).desc).toEqual({ list: [{ a: "1b" }, { b: "2" }, { c: "3" }] });
  });

  it("batchSendMsg sends in order or refuses the whole batch; sendMsgToSomeone is not history; deleteHistoryMessage hides one", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    const list = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ msgId: `bat${i}`, msgType: 0, attach: `b${i}` })));
    const badItem = await api.call("chatroom/batchSendMsg", {
      roomid: id,
      fromAccid: "viewer",
      msgList: JSON.stringify([
        { msgId: "x1", msgType: 0, attach: "fine" },
        { msgId: "x2", msgType: 5, attach: "bad type" },
      ]),
    });
    expect(badItem.code).toBe(414);
    expect(badItem.desc).toMatch(/^msgList\.1\.msgType: /);
    expect((await api.call("chatroom/batchSendMsg", { roomid: id, fromAccid: "viewer", msgList: list(11) })).code).toBe(414);
    const batch = await ok("chatroom/batchSendMsg", { roomid: id, fromAccid: "viewer", msgList: list(3) });
    expect((batch.desc as unknown as { success: { seq: number }[]; fail: unknown[] }).success.map((s) => s.seq)).toEqual([1, 2, 3]);

    const some = await ok("chatroom/sendMsgToSomeone", {
      roomid: id,
      fromAccid: "host",
      toAccids: JSON.stringify(["viewer"]),
      msgId: "psst",
      msgType: "0",
      attach: "just you",
    });
    expect(some.desc).toMatchObject({ msgid_client: "psst", attach: "just you" });
    const hist = async () =>
      (await ok("history/queryChatroomMsg", { roomid: id, accid: "host", timetag: "0", limit: "10" })).msgs as {
        attach: string;
        time: number;
      }[];
    const before = await hist();
    expect(before.map((m) => m.attach)).toEqual(["b2", "b1", "b0"]);
    await ok("chatroom/deleteHistoryMessage", { roomid: id, fromAcc: "viewer", msgTimetag: String(before[1]!.time) });
    expect((await hist()).map((m) => m.attach)).not.toContain("b1");
    expect(await api.call("chatroom/deleteHistoryMessage", { roomid: id, fromAcc: "host", msgTimetag: "1" })).toMatchObject({ code: 404 });
  });

  it("delayed close: a timed room closes after delaySeconds, an idle one once nobody has been in for delaySeconds", async () => {
    const timed = await newRoom("host", { delayClosePolicy: "1", delaySeconds: "1" });
    expect((timed as unknown as { delayInfo: object }).delayInfo).toMatchObject({
      delayCloseEnable: true,
      delayClosePolicy: 1,
      delaySeconds: 1,
      status: 1,
    });
    const idle = await newRoom();
    const set = await ok("chatroom/updateDelayClosePolicy", { roomid: String(idle.roomid), delayClosePolicy: "2", delaySeconds: "1" });
    expect(set.chatroom).toMatchObject({ valid: true, delayInfo: { delayClosePolicy: 2 } });
    const open = await newRoom();
    const valid = async (id: number) => ((await ok("chatroom/get", { roomid: String(id) })).chatroom as Room).valid;
    const deadline = Date.now() + 10_000;
    while ((await valid(timed.roomid)) || (await valid(idle.roomid))) {
      if (Date.now() > deadline) throw new Error("the delayed rooms did not close");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await valid(open.roomid)).toBe(true);
    expect((await api.call("chatroom/create", { creator: "host", name: "x", delayClosePolicy: "1" })).desc).toMatch(/^delaySeconds: /);
  });

  it("the room, its fixed members, its queue and its history survive a restart", async () => {
    const room = await newRoom();
    const id = String(room.roomid);
    await ok("chatroom/setMemberRole", { roomid: id, operator: "host", target: "mgr", opt: "1", optvalue: "true" });
    await ok("chatroom/queueOffer", { roomid: id, key: "k", value: "v" });
    await ok("chatroom/sendMsg", { roomid: id, msgId: "r1", fromAccid: "viewer", msgType: "0", attach: "before" });
    await api.restart();
    expect((await ok("chatroom/get", { roomid: id })).chatroom).toMatchObject({ roomid: room.roomid, name: "live" });
    const members = (await ok("chatroom/queryMembers", { roomid: id, accids: JSON.stringify(["mgr"]) })).desc as unknown as {
      data: { type: string }[];
    };
    expect(members.data[0]?.type).toBe("MANAGER");
    expect((await ok("chatroom/queueList", { roomid: id })).desc).toEqual({ list: [{ k: "v" }] });
    const next = await ok("chatroom/sendMsg", { roomid: id, msgId: "r2", fromAccid: "viewer", msgType: "0", attach: "after" });
    expect((next.desc as unknown as { seq: number }).seq).toBe(2);
    const dup = await ok("chatroom/sendMsg", { roomid: id, msgId: "r1", fromAccid: "viewer", msgType: "0", attach: "before" });
    expect((dup.desc as unknown as { seq: number }).seq).toBe(1);
    const hist = await ok("history/queryChatroomMsg", { roomid: id, accid: "viewer", timetag: "0", limit: "10" });
    expect((hist.msgs as { attach: string }[]).map((m) => m.attach)).toEqual(["after", "before"]);
  });
});
