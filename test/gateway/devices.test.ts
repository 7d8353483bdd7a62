import { describe, it, expect, afterEach } from "vitest";
import { KickReason, type NimbusClient } from "nimbus/client";
import { userAddress } from "../../src/contracts/user.ts";
import type { UserState } from "../../actors/user/account.ts";
import { clientTypeName } from "../support/client-types.ts";
import { next, record, startGatewayNode, until, type GatewayNode } from "./support.ts";

type Status = {
  data: { invalidAccids: string[]; onlineStatusList: { accid: string; statusList: { clientType: number; loginTime: number }[] }[] };
};

async function onlineTypes(gw: GatewayNode, accid: string): Promise<string[]> {
  const res = (await gw.call("user/userOnlineStatus", { accids: JSON.stringify([accid]) })) as unknown as Status & { code: number };
  expect(res.code).toBe(200);
  return (res.data.onlineStatusList[0]?.statusList ?? []).map((s) => clientTypeName(s.clientType)).sort();
}

/** The device registry as the user actor keeps it (through the runtime, as any node would ask). */
async function registry(gw: GatewayNode, accid: string): Promise<{ deviceId: string }[]> {
  return gw.node.system.ask(userAddress(gw.appKey, accid), { t: "devices" });
}

describe("multi-device policies and the device registry", () => {
  const nodes: GatewayNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });
  async function node(policy: 1 | 2 | 3): Promise<GatewayNode> {
    const gw = await startGatewayNode({}, { limits: { multiDevicePolicy: policy } });
    nodes.push(gw);
    return gw;
  }

  it("policy 1: a new login kicks the other device, which is told why and stays out", async () => {
    const gw = await node(1);
    const token = await gw.createAccount("solo");
    const web = await gw.device("solo", token, "web-1", { clientType: "WEB" });
    await until(async () => (await registry(gw, "solo")).length === 1, 5000, "the first device registered");
    const kicked = next(web, "kicked");
    const phone = await gw.device("solo", token, "phone-1", { clientType: "AOS" });
    expect(await kicked).toMatchObject({ reason: KickReason.OTHER_DEVICE });
    await until(async () => (await onlineTypes(gw, "solo")).join() === "AOS", 5000, "only the phone online");
    expect((await registry(gw, "solo")).map((d) => d.deviceId)).toEqual(["phone-1"]);
    expect(phone.state).toBe("connected");
    expect(web.state).not.toBe("connected");
  });

  it("policy 2: one desktop and one mobile coexist; a second desktop kicks the first desktop only", async () => {
    const gw = await node(2);
    const token = await gw.createAccount("duo");
    const web = await gw.device("duo", token, "web-1", { clientType: "WEB" });
    const phone = await gw.device("duo", token, "phone-1", { clientType: "IOS" });
    await until(async () => (await onlineTypes(gw, "duo")).join() === "IOS,WEB", 5000, "web and phone online");
    const phoneKicks = record(phone, "kicked");
    const webKicked = next(web, "kicked");
    await gw.device("duo", token, "pc-1", { clientType: "PC" });
    expect(await webKicked).toMatchObject({ reason: KickReason.POLICY });
    await until(async () => (await onlineTypes(gw, "duo")).join() === "IOS,PC", 5000, "phone and pc online");
    expect(phoneKicks).toEqual([]);
    expect(phone.state).toBe("connected");
  });

  it("policy 3: up to ten devices; the eleventh login kicks the oldest", async () => {
    const gw = await node(3);
    const token = await gw.createAccount("many");
    const devices: NimbusClient[] = [];
    for (let i = 0; i < 10; i++) {
      devices.push(await gw.device("many", token, `d${i}`, { clientType: i % 2 ? "AOS" : "WEB" }));
      await until(async () => (await registry(gw, "many")).length === i + 1, 5000, `device ${i} registered`);
    }
    const oldestKicked = next(devices[0]!, "kicked");
    const others = devices.slice(1).map((d) => record(d, "kicked"));
    await gw.device("many", token, "d10", { clientType: "PC" });
    expect(await oldestKicked).toMatchObject({ reason: KickReason.POLICY });
    await until(async () => (await registry(gw, "many")).length === 10, 5000, "ten devices");
    expect((await registry(gw, "many")).map((d) => d.deviceId).sort()).toEqual([
      "d1",
      "d10",
      "d2",
      "d3",
      "d4",
      "d5",
      "d6",
      "d7",
      "d8",
      "d9",
    ]);
    for (const seen of others) expect(seen).toEqual([]);
  });

  it("reports online status through REST as devices come and go, and records logins with their IP", async () => {
    const gw = await node(3);
    const token = await gw.createAccount("status");
    expect(await onlineTypes(gw, "status")).toEqual([]);
    const web = await gw.device("status", token, "web-1", { clientType: "WEB" });
    const phone = await gw.device("status", token, "phone-1", { clientType: "AOS" });
    await until(async () => (await onlineTypes(gw, "status")).join() === "AOS,WEB", 5000, "both online");
    await web.logout();
    await until(async () => (await onlineTypes(gw, "status")).join() === "AOS", 5000, "web gone");
    await phone.logout();
    await until(async () => (await onlineTypes(gw, "status")).length === 0, 5000, "nobody online");

    const snap = await gw.node.store.snapshots.load("user", `${gw.appKey}/status`);
    const logins = (snap?.state as UserState).logins ?? [];
    expect(logins.map((l) => `${l.event}:${l.deviceId}`)).toEqual(["login:web-1", "login:phone-1", "logout:web-1", "logout:phone-1"]);
    expect(logins.filter((l) => l.event === "logout").map((l) => l.reason)).toEqual([1, 1]);
    for (const l of logins) expect(l.ip).toMatch(/127\.0\.0\.1/);
  });

  it("user/block with needkick disconnects every device at once; without it they stay", async () => {
    const gw = await node(3);
    const token = await gw.createAccount("blocked");
    const stays = await gw.device("blocked", token, "web-1");
    await until(async () => (await registry(gw, "blocked")).length === 1, 5000, "registered");
    const quietKicks = record(stays, "kicked");
    expect((await gw.call("user/block", { accid: "blocked", needkick: "false" })).code).toBe(200);
    expect((await gw.call("user/unblock", { accid: "blocked" })).code).toBe(200);
    expect(quietKicks).toEqual([]);
    expect(stays.state).toBe("connected");

    const second = await gw.device("blocked", token, "phone-1", { clientType: "IOS" });
    await until(async () => (await registry(gw, "blocked")).length === 2, 5000, "both registered");
    const kicks = [next(stays, "kicked"), next(second, "kicked")];
    expect((await gw.call("user/block", { accid: "blocked", needkick: "true", kickNotifyExt: '{"why":"spam"}' })).code).toBe(200);
    for (const k of await Promise.all(kicks)) expect(k).toMatchObject({ reason: KickReason.SERVER, ext: '{"why":"spam"}' });
    await until(async () => (await onlineTypes(gw, "blocked")).length === 0, 5000, "nobody online");
  });
});
