import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, KickReason, NimbusClientError, type NimbusClient } from "nimbus/client";
import { signedCall } from "../support/nim-api.ts";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";
import { next, record, until } from "./support.ts";
import { clientTypeName } from "../support/client-types.ts";

const ENTRY = "test/fixtures/gateway-node.ts";
const APP_KEY = "gatewayapp";
const APP_SECRET = "gateway-cluster-secret";
const GUESSES_PER_ACCOUNT = 4;

function call(node: NodeProcess, path: string, params: Record<string, string>): Promise<{ code: number; [k: string]: unknown }> {
  return signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params) as Promise<{
    code: number;
    [k: string]: unknown;
  }>;
}

/** The client types online for an account, as `user/userOnlineStatus` on `node` reports them, sorted. */
async function onlineClientTypes(node: NodeProcess, accid: string): Promise<string> {
  const res = (await call(node, "user/userOnlineStatus", { accids: JSON.stringify([accid]) })) as unknown as {
    data: { onlineStatusList: { statusList: { clientType: number }[] }[] };
  };
  return (res.data.onlineStatusList[0]?.statusList ?? [])
    .map((s) => clientTypeName(s.clientType))
    .sort()
    .join();
}

async function publish(node: NodeProcess, accid: string, event: object): Promise<void> {
  const res = await fetch(`${node.url}/test/publish/${accid}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  expect(res.status).toBe(200);
}

describeWith(["nats", "mongo"], "gateway cluster: two node processes, real NATS and FerretDB", () => {
  const nodes: NodeProcess[] = [];
  const clients: NimbusClient[] = [];

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds: ["g1", "g2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        // Policy 2 (one desktop + one mobile): the cross-node kick test relies on it.
        config: {
          apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, limits: { multiDevicePolicy: 2 } }],
          gateway: { loginFailuresPerAccount: GUESSES_PER_ACCOUNT },
        },
      })),
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await killCluster(nodes);
  });

  it("delivers a user event published on node 1 to devices connected to node 2 (and to node 1), once each", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const created = await call(n1, "user/create", { accid: "zoe" });
    expect(created.code).toBe(200);
    const token = (created as unknown as { info: { token: string } }).info.token;

    // Log in through node 2: the account's actor may live on either node.
    const base = { appKey: APP_KEY, accid: "zoe", token, clientType: "AOS" as const };
    const far = await connect({ ...base, url: n2.url, deviceId: "on-g2" });
    const near = await connect({ ...base, url: n1.url, deviceId: "on-g1", clientType: "PC" });
    clients.push(far, near);
    expect(far.session.nodeId).toBe("g2");
    expect(near.session.nodeId).toBe("g1");

    const farEvents = record(far, "event");
    const nearEvents = record(near, "event");
    await publish(n1, "zoe", { ev: "msg", from: "yan", text: "across the cluster", msgid: 1200510468189 });
    await until(() => farEvents.length === 1 && nearEvents.length === 1, 5000, "the event on both nodes");
    expect(farEvents).toEqual([{ type: "msg", body: { from: "yan", text: "across the cluster", msgid: 1200510468189 } }]);
    expect(nearEvents).toEqual(farEvents);
  });

  it("kicks a device on node 2 with a kick event published on node 1", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const created = await call(n2, "user/create", { accid: "yuki" });
    const token = (created as unknown as { info: { token: string } }).info.token;
    const c = await connect({ url: n2.url, appKey: APP_KEY, accid: "yuki", token, deviceId: "y1", clientType: "IOS" });
    clients.push(c);
    const kicked = next(c, "kicked");
    await publish(n1, "yuki", { ev: "kick", reason: KickReason.SERVER, desc: "blocked" });
    expect(await kicked).toEqual({ reason: KickReason.SERVER, desc: "blocked" });
    await until(
      async () => ((await (await fetch(`${n2.url}/test/devices/yuki`)).json()) as { devices: unknown[] }).devices.length === 0,
      3000,
      "node 2 to forget the device",
    );
  });

  it("applies the multi-device policy across nodes: a desktop login on node 2 kicks the desktop on node 1", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const created = await call(n1, "user/create", { accid: "mika" });
    const token = (created as unknown as { info: { token: string } }).info.token;
    const base = { appKey: APP_KEY, accid: "mika", token };
    const web = await connect({ ...base, url: n1.url, deviceId: "web-on-g1", clientType: "WEB" });
    const phone = await connect({ ...base, url: n2.url, deviceId: "phone-on-g2", clientType: "AOS" });
    clients.push(web, phone);
    const status = (node: NodeProcess) => onlineClientTypes(node, "mika");
    await until(async () => (await status(n1)) === "AOS,WEB", 5000, "both devices in the registry");
    expect(await status(n2)).toBe("AOS,WEB");

    const phoneKicks = record(phone, "kicked");
    const webKicked = next(web, "kicked");
    const pc = await connect({ ...base, url: n2.url, deviceId: "pc-on-g2", clientType: "PC" });
    clients.push(pc);
    expect(await webKicked).toMatchObject({ reason: KickReason.POLICY });
    await until(async () => (await status(n1)) === "AOS,PC", 5000, "the registry to drop the kicked desktop");
    expect(phoneKicks).toEqual([]);

    // The app server blocks the account through node 1: both devices on node 2 are disconnected.
    const kicks = [next(phone, "kicked"), next(pc, "kicked")];
    expect((await call(n1, "user/block", { accid: "mika", needkick: "true" })).code).toBe(200);
    for (const k of await Promise.all(kicks)) expect(k).toMatchObject({ reason: KickReason.SERVER });
    await until(async () => (await status(n2)) === "", 5000, "nobody online");
  });

  it("counts wrong tokens for an account over the whole cluster: guesses spread over both nodes lock it on both", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const created = await call(n1, "user/create", { accid: "gus" });
    const token = (created as unknown as { info: { token: string } }).info.token;
    const loginCode = async (node: NodeProcess, guess: string): Promise<number> => {
      try {
        const c = await connect({ url: node.url, appKey: APP_KEY, accid: "gus", token: guess, deviceId: "g", clientType: "WEB" });
        await c.logout();
        return 200;
      } catch (err) {
        if (err instanceof NimbusClientError) return err.code;
        throw err;
      }
    };
    // Half the guesses on each node: neither node alone sees the limit.
    for (let i = 0; i < GUESSES_PER_ACCOUNT; i++) expect(await loginCode(i % 2 === 0 ? n1 : n2, `guess-${i}`)).toBe(302);
    expect(await loginCode(n1, token)).toBe(416);
    expect(await loginCode(n2, token)).toBe(416);
  });

  it("forgets the devices of a node that dies: online status drops them once membership does", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const created = await call(n1, "user/create", { accid: "nell" });
    const token = (created as unknown as { info: { token: string } }).info.token;
    const base = { appKey: APP_KEY, accid: "nell", token };
    clients.push(await connect({ ...base, url: n1.url, deviceId: "web-on-g1", clientType: "WEB" }));
    clients.push(await connect({ ...base, url: n2.url, deviceId: "phone-on-g2", clientType: "IOS" }));
    const status = () => onlineClientTypes(n1, "nell");
    await until(async () => (await status()) === "IOS,WEB", 5000, "both online");
    n2.kill("SIGKILL");
    await n2.exited;
    await until(async () => (await status()) === "WEB", 8000, "the dead node's device to drop out");
  });
});
