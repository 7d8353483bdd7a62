import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, type NimbusClient } from "nimbus/client";
import { p2pConversation } from "../../src/conversation/ref.ts";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { fullHistory, restHistory, restSendText } from "../support/messaging.ts";
import { createUser } from "../support/users.ts";
import { next } from "../gateway/support.ts";

/**
 * msg/delMsg (two-way delete) and msg/delRoamSession, with the parameters NIM's Java SDK sends
 * (DeleteMessageRequestV1: deleteMsgid, timetag, type, from, to; DeleteRoamSessionRequestV1:
 * type, from, to), and what the devices of the affected accounts learn.
 */
describeOnEachStore("server API: msg/delMsg and msg/delRoamSession", (backend) => {
  let api: ApiNode;
  const tokens: Record<string, string> = {};
  const clients: NimbusClient[] = [];

  beforeAll(async () => {
    api = await startApiNode({ backend });
    for (const a of ["dm1", "dm2", "ds1", "ds2"]) tokens[a] = (await createUser(api, a)).token;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await api.close();
  });

  async function device(accid: string, deviceId: string): Promise<NimbusClient> {
    const client = await connect({ url: api.url, appKey: api.appKey, accid, token: tokens[accid]!, deviceId, clientType: "WEB" });
    clients.push(client);
    await client.synced();
    return client;
  }

  async function send(from: string, to: string, text: string): Promise<{ deleteMsgid: string; timetag: string }> {
    const res = await restSendText(api, from, to, text);
    expect(res.code).toBe(200);
    const d = res.data as { msgid: number; timetag: number };
    return { deleteMsgid: String(d.msgid), timetag: String(d.timetag) };
  }

  it("deletes a message for both sides: both sides' devices are told, history and unread counts drop it", async () => {
    const sender = await device("dm1", "dm1-phone");
    const peer = await device("dm2", "dm2-phone");
    const keep = await send("dm1", "dm2", "keep");
    const gone = await send("dm1", "dm2", "gone");
    expect((await api.node.messaging.conversations(api.appKey, "dm2"))[0]?.unread).toBe(2);

    const seenBySender = next(sender, "deleted");
    const seenByPeer = next(peer, "deleted");
    expect(await api.call("msg/delMsg", { ...gone, type: "7", from: "dm1", to: "dm2" })).toEqual({ code: 200 });
    const conv = p2pConversation("dm1", "dm2").id;
    for (const event of [await seenBySender, await seenByPeer]) {
      expect(event).toMatchObject({ conv, msgid: Number(gone.deleteMsgid), seq: 2 });
      expect(typeof event.time).toBe("number");
    }
    for (const [me, other] of [
      ["dm1", "dm2"],
      ["dm2", "dm1"],
    ] as const) {
      expect((await restHistory(api, me, other)).map((m) => m.msgid)).toEqual([Number(keep.deleteMsgid)]);
      expect((await fullHistory(api, me, other)).map((m) => m.msgid)).toEqual([Number(keep.deleteMsgid)]);
    }
    const [summary] = await api.node.messaging.conversations(api.appKey, "dm2");
    expect(summary).toMatchObject({ unread: 1, lastMessage: { msgid: Number(gone.deleteMsgid), deleted: true, body: {} } });
    // A new device's login sync does not bring it back.
    const fresh = await connect({
      url: api.url,
      appKey: api.appKey,
      accid: "dm2",
      token: tokens.dm2!,
      deviceId: "dm2-new",
      clientType: "WEB",
    });
    clients.push(fresh);
    const synced: number[] = [];
    fresh.on("message", (m) => synced.push(m.msgid));
    await fresh.synced();
    expect(synced).toEqual([Number(keep.deleteMsgid)]);
    // Deleting again is harmless.
    expect(await api.call("msg/delMsg", { ...gone, type: "7", from: "dm1", to: "dm2" })).toEqual({ code: 200 });
  });

  it("refuses what names no message of `from`, a team delete without a team id, and bad parameters, changing nothing", async () => {
    const m = await send("dm1", "dm2", "stays");
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ ...m, type: "7", from: "dm2", to: "dm1" }, 414, /^from: /],
      [{ ...m, type: "8", from: "dm1", to: "dm2" }, 414, /^to: must be a team id/],
      [{ ...m, type: "13", from: "dm1", to: "dm2" }, 414, /^type: /],
      [{ timetag: m.timetag, deleteMsgid: "999999999", type: "7", from: "dm1", to: "dm2" }, 404, /^deleteMsgid: /],
      [{ ...m, deleteMsgid: "x", type: "7", from: "dm1", to: "dm2" }, 414, /^deleteMsgid: /],
      [{ ...m, type: "7", from: "dm1" }, 414, /^to: /],
    ];
    for (const [params, code, desc] of cases) {
      const res = await api.call("msg/delMsg", params);
      expect(res.code, JSON.stringify(params)).toBe(code);
      expect(res.desc).toMatch(desc);
    }
    expect((await restHistory(api, "dm2", "dm1")).map((m) => m.msgid)).toContain(Number(m.deleteMsgid));
  });

  it("removes a conversation from one side's list and roaming; the other side keeps it; a new message lists it again", async () => {
    await send("ds1", "ds2", "one");
    await send("ds2", "ds1", "two");
    const phone = await device("ds1", "ds1-phone");
    const removed = next(phone, "sessionRemoved");
    expect(await api.call("msg/delRoamSession", { type: "1", from: "ds1", to: "ds2" })).toEqual({ code: 200 });
    const conv = p2pConversation("ds1", "ds2").id;
    expect(await removed).toMatchObject({ conv });

    const list = async (accid: string) =>
      ((await api.call("history/querySessionList", { accid, needLastMsg: "1" })).data as { sessions: { accid?: string }[] }).sessions;
    expect((await list("ds1")).map((s) => s.accid)).not.toContain("ds2");
    expect((await list("ds2")).map((s) => s.accid)).toContain("ds1");
    // A new device of ds1 roams nothing of it.
    const fresh = await connect({
      url: api.url,
      appKey: api.appKey,
      accid: "ds1",
      token: tokens.ds1!,
      deviceId: "ds1-new",
      clientType: "WEB",
    });
    clients.push(fresh);
    const roamed: string[] = [];
    fresh.on("message", (m) => roamed.push(m.conv));
    await fresh.synced();
    expect(roamed).toEqual([]);
    // History itself is not deleted.
    expect(await restHistory(api, "ds1", "ds2")).toHaveLength(2);

    await send("ds2", "ds1", "three");
    const [again] = await api.node.messaging.conversations(api.appKey, "ds1");
    expect(again).toMatchObject({ conv, unread: 1, lastMessage: { body: { msg: "three" } } });
    expect((await list("ds1")).map((s) => s.accid)).toContain("ds2");

    for (const [params, desc] of [
      [{ type: "2", from: "ds1", to: "ds2" }, /^to: must be a team id/],
      [{ type: "3", from: "ds1", to: "ds2" }, /^to: must be a team id/],
      [{ type: "4", from: "ds1", to: "ds2" }, /^type: /],
      [{ type: "1", from: "ds1", to: "ds1" }, /^to: /],
      [{ type: "1", from: "ds1" }, /^to: /],
    ] as const) {
      const res = await api.call("msg/delRoamSession", params as Record<string, string>);
      expect(res.code, JSON.stringify(params)).toBe(414);
      expect(res.desc).toMatch(desc);
    }
    // Type 3 (a super team) for a non-member: 804, as for a team (superteam.test.ts covers a member's).
    expect((await api.call("msg/delRoamSession", { type: "3", from: "ds1", to: "1" })).code).toBe(804);
  });
});
