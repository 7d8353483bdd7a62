import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { CloseCodes, KickReason } from "nimbus/client";
import { next, record, sleep, startGatewayNode, until, type GatewayNode } from "./support.ts";

describe("gateway: delivery and kicks", () => {
  let gw: GatewayNode;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    gw = await startGatewayNode();
    for (const a of ["bob", "carol", "dave", "erin", "frank"]) tokens[a] = await gw.createAccount(a);
  });
  afterAll(async () => gw.close());

  it("pushes one user event to each of the user's devices exactly once, and to nobody else", async () => {
    const phone = await gw.device("bob", tokens.bob!, "phone", { clientType: "AOS" });
    const laptop = await gw.device("bob", tokens.bob!, "laptop", { clientType: "PC" });
    const other = await gw.device("carol", tokens.carol!, "c1");
    const [p, l, o] = [record(phone, "event"), record(laptop, "event"), record(other, "event")];
    // msgids are above 2^32: they must arrive as plain numbers.
    gw.publish("bob", { ev: "msg", from: "carol", text: "hi", msgid: 1200510468189 });
    gw.publish("bob", { ev: "msg", from: "carol", text: "second" });
    await until(() => p.length === 2 && l.length === 2, 3000, "both devices got both events");
    await sleep(100);
    expect(p).toEqual([
      { type: "msg", body: { from: "carol", text: "hi", msgid: 1200510468189 } },
      { type: "msg", body: { from: "carol", text: "second" } },
    ]);
    expect(l).toEqual(p);
    expect(o).toEqual([]);
  });

  it("subscribes while the user has a device here and unsubscribes after the last one leaves", async () => {
    expect(gw.node.gateway.localDevices(gw.appKey, "dave")).toEqual([]);
    const d1 = await gw.device("dave", tokens.dave!, "d1");
    const d2 = await gw.device("dave", tokens.dave!, "d2");
    const before = gw.node.gateway.stats().users;
    await d1.logout();
    expect(gw.node.gateway.localDevices(gw.appKey, "dave").map((d) => d.deviceId)).toEqual(["d2"]);
    expect(gw.node.gateway.stats().users).toBe(before);
    await d2.logout();
    expect(gw.node.gateway.localDevices(gw.appKey, "dave")).toEqual([]);
    expect(gw.node.gateway.stats().users).toBe(before - 1);
    // With nobody subscribed, a publish goes nowhere and nothing breaks.
    gw.publish("dave", { ev: "msg", text: "into the void" });
    const back = await gw.device("dave", tokens.dave!, "d3");
    const seen = record(back, "event");
    gw.publish("dave", { ev: "msg", text: "after" });
    await until(() => seen.length === 1, 3000, "event after re-login");
    expect(seen[0]).toEqual({ type: "msg", body: { text: "after" } });
  });

  it("delivers a kick from the bus as a `kicked` frame, closes the device and does not reconnect it", async () => {
    const victim = await gw.device("erin", tokens.erin!, "e1");
    const bystander = await gw.device("erin", tokens.erin!, "e2");
    const kicked = next(victim, "kicked");
    const closed = next(victim, "closed");
    const disconnected = record(victim, "disconnected");
    const reconnected = record(victim, "reconnected");
    gw.publish("erin", { ev: "kick", reason: KickReason.SERVER, desc: "blocked by the app", ext: '{"why":1}', deviceIds: ["e1"] });
    expect(await kicked).toEqual({ reason: KickReason.SERVER, desc: "blocked by the app", ext: '{"why":1}' });
    expect(await closed).toEqual({ code: CloseCodes.KICKED, reason: "blocked by the app" });
    expect(victim.state).toBe("closed");
    await sleep(800);
    expect(disconnected).toEqual([]);
    expect(reconnected).toEqual([]);
    expect(gw.node.gateway.localDevices(gw.appKey, "erin").map((d) => d.deviceId)).toEqual(["e2"]);
    expect(bystander.state).toBe("connected");
  });

  it("kicks every device of the user when the kick names none", async () => {
    const a = await gw.device("frank", tokens.frank!, "f1");
    const b = await gw.device("frank", tokens.frank!, "f2");
    const both = Promise.all([next(a, "kicked"), next(b, "kicked")]);
    gw.publish("frank", { ev: "kick", reason: KickReason.OTHER_DEVICE });
    expect(await both).toEqual([{ reason: KickReason.OTHER_DEVICE }, { reason: KickReason.OTHER_DEVICE }]);
    await until(() => gw.node.gateway.localDevices(gw.appKey, "frank").length === 0, 2000, "frank offline");
  });

  it("kicks one session precisely by session id, leaving a newer session of the same device id alone", async () => {
    const t = await gw.createAccount("jack");
    const older = await gw.device("jack", t, "j1");
    const olderSession = older.session.sessionId;
    const newer = await gw.device("jack", t, "j2");
    const kicked = next(older, "kicked");
    gw.publish("jack", { ev: "kick", reason: KickReason.POLICY, sessionIds: [olderSession, "not-here"] });
    expect((await kicked).reason).toBe(KickReason.POLICY);
    expect(gw.node.gateway.localDevices(gw.appKey, "jack").map((d) => d.deviceId)).toEqual(["j2"]);
    expect(newer.state).toBe("connected");
  });

  it("kicks the older session when the same device id logs in again, and keeps the new one", async () => {
    const first = await gw.device("carol", tokens.carol!, "same-device");
    const kicked = next(first, "kicked");
    const second = await gw.device("carol", tokens.carol!, "same-device");
    expect((await kicked).reason).toBe(KickReason.POLICY);
    expect(second.state).toBe("connected");
    const devices = gw.node.gateway.localDevices(gw.appKey, "carol").filter((d) => d.deviceId === "same-device");
    expect(devices.map((d) => d.sessionId)).toEqual([second.session.sessionId]);
  });

  it("kicks a user's devices on this node through the gateway API (kickLocal)", async () => {
    const t = await gw.createAccount("gina");
    const c = await gw.device("gina", t, "g1");
    const kicked = next(c, "kicked");
    expect(gw.node.gateway.kickLocal(gw.appKey, "GINA", { reason: KickReason.SERVER, desc: "bye" })).toBe(1);
    expect(await kicked).toEqual({ reason: KickReason.SERVER, desc: "bye" });
  });

  it("reports online and offline devices through the hooks, with NIM's logout reasons", async () => {
    const events: string[] = [];
    const offOn = gw.node.gateway.onDeviceOnline((d) => void events.push(`on ${d.accid}/${d.deviceId}`));
    const offOff = gw.node.gateway.onDeviceOffline((d, r) => void events.push(`off ${d.accid}/${d.deviceId} ${r.code}`));
    try {
      const h1 = await gw.device("bob", tokens.bob!, "hook-1");
      const h2 = await gw.device("bob", tokens.bob!, "hook-2");
      await h1.logout();
      gw.publish("bob", { ev: "kick", reason: KickReason.POLICY, deviceIds: ["hook-2"] });
      await next(h2, "closed");
      await until(() => events.length === 4, 2000, "four hook calls");
      expect(events).toEqual(["on bob/hook-1", "on bob/hook-2", "off bob/hook-1 1", "off bob/hook-2 4"]);
    } finally {
      offOn();
      offOff();
    }
  });

  it("answers the REST online status from the device table, in the shapes both official SDKs read", async () => {
    const t = await gw.createAccount("henry");
    const c = await gw.device("henry", t, "h1", { clientType: "MAC" });
    const res = await gw.call("user/userOnlineStatus", { accids: JSON.stringify(["henry", "Henry", "nobody"]) });
    const statusList = [{ clientType: 64, loginTime: expect.any(Number) }]; // NIM's number for MAC
    expect(res).toEqual({
      code: 200,
      data: { invalidAccids: ["nobody"], onlineStatusList: [{ accid: "henry", statusList }], status: { henry: statusList } },
    });
    await c.logout();
  });

  it("answers a team's online members keyed by accid, in the shape both official SDKs read", async () => {
    const t = await gw.createAccount("iris");
    await gw.createAccount("ian");
    const created = await gw.call("team/create", {
      tname: "t",
      owner: "iris",
      members: JSON.stringify(["ian"]),
      msg: "join us",
      magree: "0",
      joinmode: "0",
    });
    const c = await gw.device("iris", t, "i1", { clientType: "MAC" });
    const res = await gw.call("team/listOnlineUsers", { tid: created.tid as string });
    expect(res).toEqual({ code: 200, data: { count: 1, status: { iris: [{ clientType: 64, loginTime: expect.any(Number) }] } } });
    await c.logout();
  });

  it("ignores malformed and reserved user events without disturbing delivery", async () => {
    const t = await gw.createAccount("ivy");
    const c = await gw.device("ivy", t, "i1");
    const seen = record(c, "event");
    const kicks = record(c, "kicked");
    gw.node.bus.publish(`user.${gw.appKey}.ivy`, new Uint8Array([0xc1, 0xff, 0x00]));
    gw.publish("ivy", { ev: "kicked", reason: 3 });
    gw.publish("ivy", { ev: "welcome" });
    gw.publish("ivy", { ev: "kick", reason: 99 } as never);
    gw.publish("ivy", { ev: "msg", n: 1 });
    await until(() => seen.length === 1, 3000, "the good event");
    expect(seen).toEqual([{ type: "msg", body: { n: 1 } }]);
    expect(kicks).toEqual([]);
    expect(c.state).toBe("connected");
  });
});
