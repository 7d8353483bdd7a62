import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, type NimbusClient, type SignalEvent, type SignalRoom } from "nimbus/client";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser } from "../support/users.ts";
import { next, record, sleep, until } from "../gateway/support.ts";

const HOUR_MS = 3_600_000;

/**
 * signal/*.action with the parameters NIM's Java SDK sends and the room shape both official SDKs
 * read under `data`, and the device side of a call: invitation, answer, join, leave, close, kick,
 * control, and invitations stored for an account that was offline.
 */
describeOnEachStore("server API and devices: signalling", (backend) => {
  let api: ApiNode;
  const tokens: Record<string, string> = {};
  const clients: NimbusClient[] = [];

  beforeAll(async () => {
    api = await startApiNode({ backend });
    for (const a of ["sg1", "sg2", "sg3"]) tokens[a] = (await createUser(api, a)).token;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await api.close();
  });

  async function device(accid: string, deviceId: string): Promise<NimbusClient> {
    const c = await connect({ url: api.url, appKey: api.appKey, accid, token: tokens[accid]!, deviceId, clientType: "IOS" });
    clients.push(c);
    await c.synced();
    return c;
  }

  async function createRoom(params: Record<string, string>): Promise<SignalRoom> {
    const res = await api.call("signal/createRoom", params);
    expect(res.code, JSON.stringify(res)).toBe(200);
    return res.data as SignalRoom;
  }

  it("creates, reads by id and by name, and delays a room with NIM's data shape", async () => {
    const before = Date.now();
    const room = await createRoom({ channelName: "call-a", type: "2", from: "sg1", ext: '{"k":1}' });
    expect(Object.keys(room).sort()).toEqual(
      ["channelCreateTime", "channelExpireTime", "channelId", "channelName", "creator", "ext", "members", "type"].sort(),
    );
    // NIM's own spelling, which NIM's Java SDK's test asserts.
    expect(room).toMatchObject({ channelName: "call-a", type: "VEDIO", creator: "sg1", ext: '{"k":1}', members: [] });
    expect(room.channelCreateTime).toBeGreaterThanOrEqual(before);
    expect(room.channelExpireTime - room.channelCreateTime).toBe(2 * HOUR_MS);

    expect(await api.call("signal/getRoomInfo", { channelId: room.channelId })).toEqual({ code: 200, data: room });
    expect(await api.call("signal/getRoomInfo", { channelName: "call-a" })).toEqual({ code: 200, data: room });
    const taken = await api.call("signal/createRoom", { channelName: "call-a", type: "1", from: "sg2" });
    expect(taken.code).toBe(10405);
    expect(taken.desc).toMatch(/^channelName: /);

    await sleep(5);
    const delayed = await api.call("signal/delayRoom", { channelId: room.channelId });
    expect(delayed.code).toBe(200);
    expect((delayed.data as SignalRoom).channelExpireTime).toBeGreaterThan(room.channelExpireTime);

    expect(await api.call("signal/closeRoom", { channelId: room.channelId, from: "sg1" })).toEqual({ code: 200 });
    expect((await api.call("signal/getRoomInfo", { channelId: room.channelId })).code).toBe(10404);
    expect((await api.call("signal/getRoomInfo", { channelName: "call-a" })).code).toBe(10404);
    // The name is free again.
    await createRoom({ channelName: "call-a", type: "1", from: "sg2" });
  });

  it("a call between two devices: invite, accept and join, both sides learn each step; leave, control, kick and close reach the members", async () => {
    const caller = await device("sg1", "sg1-phone");
    const callee = await device("sg2", "sg2-phone");
    const callerEvents = record(caller, "signal");
    const calleeEvents = record(callee, "signal");
    const room = await createRoom({ type: "1", from: "sg1" });
    expect(room.channelName).toBe(room.channelId);

    const joined = await caller.signalling.join(room.channelId, { uid: 7 });
    expect(joined.members).toMatchObject([{ accid: "sg1", uid: 7, deviceId: "sg1-phone" }]);

    const invited = next(callee, "signal");
    await caller.signalling.invite(room.channelId, "sg2", "req-1", { attachExt: "ring" });
    expect(await invited).toMatchObject({
      type: "INVITE",
      channelId: room.channelId,
      from: "sg1",
      to: "sg2",
      requestId: "req-1",
      attachExt: "ring",
      channelType: "AUDIO",
    });

    const afterAccept = await callee.signalling.accept(room.channelId, "sg1", "req-1", { join: true });
    expect(afterAccept.members.map((m) => [m.accid, m.uid])).toEqual([
      ["sg1", 7],
      ["sg2", 1],
    ]);
    await until(() => callerEvents.some((e) => e.type === "JOIN" && e.from === "sg2"), 5000, "the caller hears the join");
    expect(callerEvents.find((e) => e.type === "ACCEPT")).toMatchObject({ from: "sg2", to: "sg1", requestId: "req-1" });
    // Answered: a second answer is refused with NIM's code.
    await expect(callee.signalling.reject(room.channelId, "sg1", "req-1")).rejects.toMatchObject({ code: 10410 });

    // The app server's control to one member, then to all.
    expect(await api.call("signal/ctrlRoom", { channelId: room.channelId, from: "sg1", to: "sg2", attachExt: "mute" })).toEqual({
      code: 200,
    });
    await until(() => calleeEvents.some((e) => e.type === "CTRL"), 5000, "the control");
    expect(callerEvents.some((e) => e.type === "CTRL")).toBe(false);

    await callee.signalling.leave(room.channelId, "bye");
    await until(() => callerEvents.some((e) => e.type === "LEAVE"), 5000, "the caller hears the leave");
    expect(callerEvents.find((e) => e.type === "LEAVE")).toMatchObject({ from: "sg2", attachExt: "bye" });
    await expect(callee.signalling.leave(room.channelId)).rejects.toMatchObject({ code: 10406 });

    await callee.signalling.join(room.channelId);
    expect(await api.call("signal/kick", { channelId: room.channelId, from: "sg1", to: "sg2" })).toEqual({ code: 200 });
    await until(() => calleeEvents.some((e) => e.type === "KICK"), 5000, "the kick");
    expect((await caller.signalling.room(room.channelId)).members.map((m) => m.accid)).toEqual(["sg1"]);

    expect(await api.call("signal/closeRoom", { channelId: room.channelId, from: "sg1", attachExt: "over" })).toEqual({ code: 200 });
    await until(() => callerEvents.some((e) => e.type === "CLOSE"), 5000, "the close");
    await expect(caller.signalling.join(room.channelId)).rejects.toMatchObject({ code: 10404 });
  });

  it("rejects and cancels reach the other side; an invitation stored for an offline account reaches its next login until cancelled", async () => {
    const caller = await device("sg3", "sg3-phone");
    const callerEvents = record(caller, "signal");
    const room = await createRoom({ type: "3", from: "sg3" });

    // sg2 answers from a device: a reject reaches the inviter.
    const callee = await device("sg2", "sg2-tablet");
    const invited = next(callee, "signal");
    await caller.signalling.invite(room.channelId, "sg2", "r-1");
    await invited;
    await callee.signalling.reject(room.channelId, "sg3", "r-1", "busy");
    await until(() => callerEvents.some((e) => e.type === "REJECT"), 5000, "the reject");
    expect(callerEvents.find((e) => e.type === "REJECT")).toMatchObject({ from: "sg2", to: "sg3", requestId: "r-1", attachExt: "busy" });
    await callee.logout();
    await Promise.all(clients.filter((c) => c.session.accid === "sg2").map((c) => c.logout().catch(() => undefined)));

    // sg2 offline: two invitations by the app server with isSave=1, one cancelled.
    for (const requestId of ["r-2", "r-3"]) {
      expect(
        await api.call("signal/invite", { channelId: room.channelId, from: "sg3", to: "sg2", requestId, isSave: "1", needPush: "0" }),
      ).toEqual({
        code: 200,
      });
    }
    expect(await api.call("signal/cancelInvite", { channelId: room.channelId, from: "sg3", to: "sg2", requestId: "r-2" })).toEqual({
      code: 200,
    });
    const back = await device("sg2", "sg2-laptop");
    let stored: SignalEvent[] = [];
    await until(async () => (stored = await back.signalling.offline()).length === 1, 5000, "the stored invitation");
    expect(stored[0]).toMatchObject({ type: "INVITE", channelId: room.channelId, from: "sg3", to: "sg2", requestId: "r-3" });
    // Cancelled: no answer is possible.
    await expect(back.signalling.accept(room.channelId, "sg3", "r-2")).rejects.toMatchObject({ code: 10408 });
    await back.signalling.accept(room.channelId, "sg3", "r-3");
    await until(async () => (await back.signalling.offline()).length === 0, 5000, "the answered invitation to leave the box");
  });

  it("refuses bad parameters with 414 naming them, unknown rooms with 10404 and unknown accounts with 404", async () => {
    const room = await createRoom({ type: "1", from: "sg1" });
    const cases: [string, Record<string, string>, number, string][] = [
      ["signal/createRoom", { type: "4", from: "sg1" }, 414, "type"],
      ["signal/createRoom", { type: "1" }, 414, "from"],
      ["signal/createRoom", { type: "1", from: "nobody" }, 404, "from"],
      ["signal/createRoom", { type: "1", from: "sg1", channelName: "x".repeat(129) }, 414, "channelName"],
      ["signal/getRoomInfo", {}, 414, "channelId"],
      ["signal/getRoomInfo", { channelId: "no/such" }, 414, "channelId"],
      ["signal/delayRoom", { channelId: "nosuchroom" }, 10404, "channelId"],
      ["signal/invite", { channelId: room.channelId, from: "sg1", to: "nobody", requestId: "q" }, 404, "to"],
      ["signal/invite", { channelId: room.channelId, from: "sg1", to: "sg2" }, 414, "requestId"],
      ["signal/invite", { channelId: room.channelId, from: "sg1", to: "sg1", requestId: "q" }, 414, "to"],
      ["signal/invite", { channelId: room.channelId, from: "sg1", to: "sg2", requestId: "q", isSave: "2" }, 414, "isSave"],
      ["signal/cancelInvite", { channelId: room.channelId, from: "sg1", to: "sg2", requestId: "never" }, 10408, "requestId"],
      ["signal/kick", { channelId: room.channelId, from: "sg1", to: "sg2" }, 10406, "to"],
      ["signal/ctrlRoom", { channelId: room.channelId, from: "sg1", to: "sg2" }, 10406, "to"],
    ];
    for (const [path, params, code, name] of cases) {
      const res = await api.call(path, params);
      expect(res.code, `${path} ${JSON.stringify(params)}: ${JSON.stringify(res)}`).toBe(code);
      expect(res.desc).toMatch(new RegExp(`^${name}:`));
    }
  });
});
