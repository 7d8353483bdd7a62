import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, type NimbusClient, type SignalEvent, type SignalRoom } from "nimbus/client";
import { signedCall } from "../support/nim-api.ts";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";
import { record, until } from "./support.ts";

const ENTRY = "test/fixtures/gateway-node.ts";
const APP_KEY = "signalclusterapp";
const APP_SECRET = "signal-cluster-secret";

describeWith(["nats", "mongo"], "signalling, broadcasts and uploads across two node processes (real NATS and FerretDB)", () => {
  const nodes: NodeProcess[] = [];
  const clients: NimbusClient[] = [];

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds: ["s1", "s2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        config: { apps: [{ appKey: APP_KEY, appSecret: APP_SECRET }] },
      })),
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await killCluster(nodes);
  });

  const call = (node: NodeProcess, path: string, params: Record<string, string>) =>
    signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params);

  async function device(node: NodeProcess, accid: string, token: string, deviceId: string): Promise<NimbusClient> {
    const c = await connect({ url: node.url, appKey: APP_KEY, accid, token, deviceId, clientType: "AOS" });
    clients.push(c);
    await c.synced();
    return c;
  }

  it("invite, accept and join, leave and close cross the nodes; an invitation stored while the callee was away reaches its login on the other node", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const tokens: Record<string, string> = {};
    for (const accid of ["ana", "ben"]) {
      const res = await call(n1, "user/create", { accid });
      expect(res.code).toBe(200);
      tokens[accid] = (res.info as { token: string }).token;
    }
    const caller = await device(n1, "ana", tokens.ana!, "ana-phone");
    const callee = await device(n2, "ben", tokens.ben!, "ben-phone");
    expect([caller.session.nodeId, callee.session.nodeId]).toEqual(["s1", "s2"]);
    const callerEvents = record(caller, "signal");
    const calleeEvents = record(callee, "signal");

    const created = await call(n2, "signal/createRoom", { channelName: "ana-ben", type: "1", from: "ana" });
    expect(created.code).toBe(200);
    const { channelId } = created.data as SignalRoom;
    await caller.signalling.join(channelId);
    await caller.signalling.invite(channelId, "ben", "call-1", { attachExt: "voice" });
    await until(() => calleeEvents.some((e) => e.type === "INVITE"), 10_000, "the invitation on node 2");
    expect(calleeEvents.find((e) => e.type === "INVITE")).toMatchObject({
      channelId,
      from: "ana",
      to: "ben",
      requestId: "call-1",
      attachExt: "voice",
    });

    const room = await callee.signalling.accept(channelId, "ana", "call-1", { join: true });
    expect(room.members.map((m) => m.accid)).toEqual(["ana", "ben"]);
    await until(() => callerEvents.some((e) => e.type === "JOIN" && e.from === "ben"), 10_000, "the join on node 1");
    expect(callerEvents.map((e) => e.type)).toEqual(["JOIN", "ACCEPT", "JOIN"]);
    expect((await call(n1, "signal/getRoomInfo", { channelName: "ana-ben" })).data).toMatchObject({ channelId, members: room.members });

    await callee.signalling.leave(channelId);
    await until(() => callerEvents.some((e) => e.type === "LEAVE"), 10_000, "the leave on node 1");
    await callee.logout();

    // Ben is away: the invitation is kept (isSave) and reaches his next login, on the other node.
    expect(await call(n2, "signal/invite", { channelId, from: "ana", to: "ben", requestId: "call-2", isSave: "1" })).toEqual({ code: 200 });
    const back = await device(n1, "ben", tokens.ben!, "ben-laptop");
    let stored: SignalEvent[] = [];
    await until(async () => (stored = await back.signalling.offline()).length === 1, 10_000, "the stored invitation");
    expect(stored[0]).toMatchObject({ type: "INVITE", channelId, from: "ana", requestId: "call-2" });

    expect(await call(n2, "signal/closeRoom", { channelId, from: "ana" })).toEqual({ code: 200 });
    await until(() => callerEvents.some((e) => e.type === "CLOSE"), 10_000, "the close on node 1");
    // The room lets its open invitations go with it.
    await until(async () => (await back.signalling.offline()).length === 0, 10_000, "the stored invitation to lapse");
  });

  it("a broadcast reaches the devices on both nodes; a file uploaded through one node downloads from the other", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const tokens: Record<string, string> = {};
    for (const accid of ["cai", "dan"]) {
      const res = await call(n2, "user/create", { accid });
      expect(res.code).toBe(200);
      tokens[accid] = (res.info as { token: string }).token;
    }
    const one = await device(n1, "cai", tokens.cai!, "cai-phone");
    const two = await device(n2, "dan", tokens.dan!, "dan-phone");
    const got = [record(one, "broadcast"), record(two, "broadcast")];
    const sent = await call(n1, "msg/broadcastMsg", { body: "maintenance at noon", targetOs: '["aos"]' });
    expect(sent.code).toBe(200);
    const { broadcastId } = sent.msg as { broadcastId: number };
    await until(() => got.every((g) => g.some((b) => b.broadcastId === broadcastId)), 10_000, "the broadcast on both nodes");
    expect(got.map((g) => g.filter((b) => b.broadcastId === broadcastId).length)).toEqual([1, 1]);

    const bytes = Buffer.from("a file kept in GridFS, read by every node");
    const up = await call(n1, "msg/upload", { content: bytes.toString("base64"), type: "image/png" });
    expect(up.code).toBe(200);
    const path = new URL(up.url as string).pathname;
    const res = await fetch(`${n2.url}${path}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
