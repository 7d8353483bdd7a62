import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, type Broadcast, type ClientType, type NimbusClient, type SyncState } from "nimbus/client";
import { broadcastSubject } from "../../src/protocol/broadcasts.ts";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser } from "../support/users.ts";
import { record, sleep, until } from "../gateway/support.ts";

const HOUR_MS = 3_600_000;

/**
 * msg/broadcastMsg and history/{queryBroadcastMsg, queryBroadcastMsgById, delBroadcastMsgById}
 * with the parameters NIM's Java and Go SDKs send (body, from, isOffline, ttl, targetOs as a JSON
 * array; broadcastId, limit, type) and the answers they read, field by field; the device side:
 * online devices of the targeted systems are pushed, stored ones reach devices that log in later.
 */
describeOnEachStore("server API: app-wide broadcasts", (backend) => {
  let api: ApiNode;
  const tokens: Record<string, string> = {};
  const clients: NimbusClient[] = [];

  beforeAll(async () => {
    api = await startApiNode({ backend });
    for (const a of ["bc1", "bc2", "bc3"]) tokens[a] = (await createUser(api, a)).token;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await api.close();
  });

  async function device(accid: string, deviceId: string, clientType: ClientType, syncState?: SyncState) {
    const client = await connect({
      url: api.url,
      appKey: api.appKey,
      accid,
      token: tokens[accid]!,
      deviceId,
      clientType,
      ...(syncState && { syncState }),
    });
    clients.push(client);
    const got = record(client, "broadcast");
    await client.synced();
    return { client, got };
  }

  async function broadcast(params: Record<string, string>): Promise<Record<string, unknown>> {
    const res = await api.call("msg/broadcastMsg", params);
    expect(res.code, JSON.stringify(res)).toBe(200);
    return res.msg as Record<string, unknown>;
  }

  it("answers NIM's msg and pushes every online device of the targeted systems, with one bus publish per broadcast", async () => {
    const web = await device("bc1", "bc1-web", "WEB");
    const ios = await device("bc2", "bc2-ios", "IOS");
    const ios2 = await device("bc1", "bc1-ios", "IOS");
    let published = 0;
    const sub = api.node.bus.subscribe(broadcastSubject(api.appKey), () => published++);
    await api.node.bus.flush();

    const before = Date.now();
    const msg = await broadcast({ body: "to iOS", from: "bc3", targetOs: JSON.stringify(["ios"]) });
    expect(Object.keys(msg).sort()).toEqual(["body", "broadcastId", "createTime", "expireTime", "from", "isOffline", "targetOs"]);
    expect(msg).toMatchObject({ body: "to iOS", from: "bc3", targetOs: ["ios"], isOffline: false });
    expect(typeof msg.broadcastId).toBe("number");
    expect(msg.createTime as number).toBeGreaterThanOrEqual(before);
    // ttl absent: NIM's 7 days.
    expect((msg.expireTime as number) - (msg.createTime as number)).toBe(7 * 24 * HOUR_MS);

    const all = await broadcast({ body: "to all", ttl: "2" });
    expect(all).not.toHaveProperty("from");
    expect(all).not.toHaveProperty("targetOs");
    expect((all.expireTime as number) - (all.createTime as number)).toBe(2 * HOUR_MS);

    await until(() => ios.got.length === 2 && ios2.got.length === 2 && web.got.length === 1, 5000, "broadcast pushes");
    expect(ios.got.map((b) => b.body)).toEqual(["to iOS", "to all"]);
    expect(web.got.map((b) => b.body)).toEqual(["to all"]);
    expect(ios.got[0]).toMatchObject({ broadcastId: msg.broadcastId, from: "bc3", targetOs: ["ios"], isOffline: false });
    await until(() => published === 2, 2000, "bus publishes");
    await sleep(100);
    expect(published).toBe(2);
    sub.unsubscribe();
    await Promise.all([web, ios, ios2].map(({ client }) => client.logout()));
  });

  it("delivers stored broadcasts to devices that log in before they expire, once, and never the unstored ones", async () => {
    const first = await device("bc3", "bc3-pc", "PC");
    const stored = await broadcast({ body: "stored", isOffline: "true", ttl: "1" });
    const unstored = await broadcast({ body: "online only", isOffline: "false" });
    const forMac = await broadcast({ body: "mac only", isOffline: "true", targetOs: '["mac"]' });
    await until(() => first.got.length >= 2, 5000, "pushes to the online PC");
    const state = first.client.syncState();
    expect(state.broadcastCursor).toBeGreaterThan(0);
    await first.client.logout();

    // A new device of another account, logging in now: the stored broadcast for its system only.
    const late = await device("bc2", "bc2-web-late", "WEB");
    const mine = late.got.filter((b) => [stored.broadcastId, unstored.broadcastId, forMac.broadcastId].includes(b.broadcastId));
    expect(mine.map((b) => b.body)).toEqual(["stored"]);
    expect(mine[0]).toMatchObject({ broadcastId: stored.broadcastId, isOffline: true, expireTime: stored.expireTime });
    const mac = await device("bc2", "bc2-mac", "MAC");
    expect(mac.got.filter((b) => b.broadcastId === forMac.broadcastId).map((b) => b.body)).toEqual(["mac only"]);

    // The device that had them, back with its sync state: nothing again.
    const again = await device("bc3", "bc3-pc", "PC", state);
    await sleep(200);
    expect(again.got).toEqual([]);
  });

  it("queries by id and by page with NIM's types, deletes by id, and a deleted one reaches no later login", async () => {
    const a = await broadcast({ body: "q1", isOffline: "true" });
    const b = await broadcast({ body: "q2" });
    const c = await broadcast({ body: "q3", isOffline: "true", targetOs: '["aos","web"]' });

    const byId = await api.call("history/queryBroadcastMsgById", { broadcastId: String(c.broadcastId) });
    expect(byId).toEqual({ code: 200, msg: c });

    const ids = async (params: Record<string, string>) => {
      const res = await api.call("history/queryBroadcastMsg", params);
      expect(res.code, JSON.stringify(res)).toBe(200);
      return (res.msgs as Broadcast[]).map((m) => m.broadcastId);
    };
    expect((await ids({ limit: "3" })).slice(0, 3)).toEqual([c.broadcastId, b.broadcastId, a.broadcastId]);
    expect(await ids({ broadcastId: String(b.broadcastId), limit: "2" })).toEqual([b.broadcastId, a.broadcastId]);
    expect((await ids({ limit: "2", type: "2" })).slice(0, 2)).toEqual([c.broadcastId, a.broadcastId]);
    expect((await ids({ limit: "1", type: "3" })).slice(0, 1)).toEqual([b.broadcastId]);
    const page = await api.call("history/queryBroadcastMsg", { limit: "1" });
    expect(page).toEqual({ code: 200, msgs: [c] });

    expect(await api.call("history/delBroadcastMsgById", { broadcastId: String(c.broadcastId) })).toEqual({ code: 200 });
    expect((await api.call("history/queryBroadcastMsgById", { broadcastId: String(c.broadcastId) })).code).toBe(404);
    expect(await ids({ limit: "2" })).toEqual([b.broadcastId, a.broadcastId]);
    expect((await api.call("history/delBroadcastMsgById", { broadcastId: "123456789" })).code).toBe(404);

    const late = await device("bc1", "bc1-aos", "AOS");
    const seen = late.got.map((x) => x.broadcastId);
    expect(seen).toContain(a.broadcastId);
    expect(seen).not.toContain(c.broadcastId);
    expect(seen).not.toContain(b.broadcastId);
  });

  it("refuses bad input with 414 (404 for an unknown sender) naming the parameter, storing nothing", async () => {
    const [newest] = ((await api.call("history/queryBroadcastMsg", { limit: "1" })).msgs as Broadcast[]) ?? [];
    const cases: [Record<string, string>, number, string][] = [
      [{ body: "x".repeat(4097) }, 414, "body"],
      [{}, 414, "body"],
      [{ body: "x", ttl: "0" }, 414, "ttl"],
      [{ body: "x", ttl: "337" }, 414, "ttl"],
      [{ body: "x", isOffline: "yes" }, 414, "isOffline"],
      [{ body: "x", targetOs: '["ios","symbian"]' }, 414, "targetOs"],
      [{ body: "x", targetOs: "ios" }, 414, "targetOs"],
      [{ body: "x", from: "nobody-here" }, 404, "from"],
    ];
    for (const [params, code, name] of cases) {
      const res = await api.call("msg/broadcastMsg", params);
      expect(res.code, JSON.stringify(params)).toBe(code);
      expect(res.desc).toMatch(new RegExp(`^${name}(\\.|\\[|:)`));
    }
    const [after] = (await api.call("history/queryBroadcastMsg", { limit: "1" })).msgs as Broadcast[];
    expect(after?.broadcastId).toBe(newest?.broadcastId);
    for (const [path, params, name] of [
      ["history/queryBroadcastMsg", { limit: "101" }, "limit"],
      ["history/queryBroadcastMsg", { type: "4" }, "type"],
      ["history/queryBroadcastMsgById", {}, "broadcastId"],
      ["history/delBroadcastMsgById", { broadcastId: "-1" }, "broadcastId"],
    ] as const) {
      const res = await api.call(path, params as Record<string, string>);
      expect(res.code, `${path} ${JSON.stringify(params)}`).toBe(414);
      expect(res.desc).toMatch(new RegExp(`^${name}:`));
    }
  });
});
