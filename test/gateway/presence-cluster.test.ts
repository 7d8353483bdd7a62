import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, KickReason, type ClientType, type NimbusClient } from "nimbus/client";
import { signedCall } from "../support/nim-api.ts";
import { describeWith, serviceUrl, uniqueName } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";
import { connectNatsBus, type Bus } from "../../src/bus/mod.ts";
import { presenceSubject } from "../../src/protocol/presence-events.ts";
import { next, until } from "./support.ts";
import { brief } from "./presence-support.ts";

const ENTRY = "test/fixtures/gateway-node.ts";
const APP_KEY = "presenceapp";
const APP_SECRET = "presence-cluster-secret";

function call(node: NodeProcess, path: string, params: Record<string, string>): Promise<{ code: number; [k: string]: unknown }> {
  return signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params) as Promise<{
    code: number;
    [k: string]: unknown;
  }>;
}

describeWith(["nats", "mongo"], "online-state subscriptions across two node processes, real NATS and FerretDB", () => {
  const nodes: NodeProcess[] = [];
  const clients: NimbusClient[] = [];
  const prefix = uniqueName("p");
  let spy: Bus;

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds: ["s1", "s2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        config: {
          bus: { natsUrl: serviceUrl("nats"), prefix },
          apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, limits: { multiDevicePolicy: 2 } }],
        },
      })),
    );
    spy = await connectNatsBus({ url: serviceUrl("nats"), name: "presence-spy", prefix });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await spy?.close();
    await killCluster(nodes);
  });

  async function account(accid: string): Promise<string> {
    const res = await call(nodes[0]!, "user/create", { accid });
    expect(res.code).toBe(200);
    return (res as unknown as { info: { token: string } }).info.token;
  }

  async function device(node: NodeProcess, accid: string, token: string, deviceId: string, clientType: ClientType): Promise<NimbusClient> {
    const c = await connect({ url: node.url, appKey: APP_KEY, accid, token, deviceId, clientType });
    clients.push(c);
    return c;
  }

  it("every subscriber device on either node gets each change once and in order, for ONE bus message per change", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const [tStar, tA, tB] = await Promise.all(["star", "fana", "fanb"].map(account));
    // fana has a device on each node, fanb one on node 2: node 2 has two subscribers of star.
    const subscribers = [
      await device(n1, "fana", tA!, "a1", "WEB"),
      await device(n2, "fana", tA!, "a2", "IOS"),
      await device(n2, "fanb", tB!, "b1", "WEB"),
    ];
    expect(subscribers.map((c) => c.session.nodeId)).toEqual(["s1", "s2", "s2"]);
    const seen = subscribers.map((c) => {
      const list: string[] = [];
      c.on("presence", (e) => list.push(brief(e)));
      return list;
    });
    // Subscribed through either node's server API: the subscriptions actors live wherever placement says.
    for (const [node, accid] of [
      [n1, "fana"],
      [n2, "fanb"],
    ] as const) {
      expect(await call(node, "event/subscribe/add", { accid, eventType: "1", publisherAccids: '["star"]', ttl: "600" })).toEqual({
        code: 200,
        failedAccid: [],
      });
    }
    await until(() => seen.every((s) => s.length === 1), 10_000, "the sync after subscribing on every device");

    const published: number[] = [];
    spy.subscribe(presenceSubject(APP_KEY, "star"), () => published.push(Date.now()));
    await spy.flush();

    const web = await device(n1, "star", tStar!, "w", "WEB");
    const phone = await device(n2, "star", tStar!, "p", "AOS");
    const webKicked = next(web, "kicked");
    const pc = await device(n2, "star", tStar!, "pc", "PC"); // policy 2: kicks the desktop on node 1
    expect(await webKicked).toMatchObject({ reason: KickReason.POLICY });
    await phone.logout();
    await pc.logout();
    const expected = ["s0:2:", "1:1:WEB", "2:1:AOS+WEB", `3:2:AOS:${KickReason.POLICY}`, "4:1:AOS+PC", "5:2:PC:1", "6:2::1"];
    await until(() => seen.every((s) => s.length >= expected.length), 10_000, "every change on every device");
    for (const s of seen) expect(s).toEqual(expected);
    // Five turns of star's user actor (the kick and the PC's login are one), five bus messages:
    // not one per subscriber nor per subscriber node.
    await until(() => published.length >= 5, 5000, "the spy's five messages");
    expect(published).toHaveLength(5);
  });

  it("a custom event reaches the subscribers of its type on either node once, for ONE bus message per event", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const [tPub, tA, tB] = await Promise.all(["cpub", "cfana", "cfanb"].map(account));
    const subscribers = [
      await device(n1, "cfana", tA!, "a1", "WEB"),
      await device(n2, "cfana", tA!, "a2", "IOS"),
      await device(n2, "cfanb", tB!, "b1", "WEB"),
    ];
    const seen = subscribers.map((c) => {
      const list: string[] = [];
      c.on("customEvent", (e) => list.push(`${e.sync ? "s" : ""}${e.eventValue}/${e.config}`));
      return list;
    });
    const publisher = await device(n1, "cpub", tPub!, "p", "PC");
    await publisher.publishEvent({ eventType: 100_005, eventValue: 1, config: "kept", ttl: 600 });
    expect(await subscribers[0]!.subscribePresence(["cpub"], 600, 100_005)).toEqual({ failed: [] });
    expect(await subscribers[2]!.subscribePresence(["cpub"], 600, 100_005)).toEqual({ failed: [] });
    await until(() => seen.every((s) => s.length === 1), 10_000, "the kept event on subscribing, on every device");
    for (const s of seen) expect(s).toEqual(["s1/kept"]);

    const published: number[] = [];
    spy.subscribe(presenceSubject(APP_KEY, "cpub"), () => published.push(Date.now()));
    await spy.flush();
    await publisher.publishEvent({ eventType: 100_005, eventValue: 2, config: "a", ttl: 600 });
    await publisher.publishEvent({ eventType: 100_005, eventValue: 3, config: "b", ttl: 600, broadcastType: 1 });
    await until(() => seen.every((s) => s.length >= 3), 10_000, "both events on every device");
    for (const s of seen) expect(s).toEqual(["s1/kept", "2/a", "3/b"]);
    await until(() => published.length >= 2, 5000, "the spy's two messages");
    expect(published).toHaveLength(2);
  });

  // Last: it kills node 2.
  it("a kill -9 of the publisher's node logs its devices out, as disconnected, to subscribers on the survivor", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const [tHost, tFan] = await Promise.all(["host", "fanc"].map(account));
    const fan = await device(n1, "fanc", tFan!, "c1", "WEB");
    const seen: string[] = [];
    fan.on("presence", (e) => seen.push(brief(e)));
    expect(await fan.subscribePresence(["host"], 600)).toEqual({ failed: [] });
    await until(() => seen.length === 1, 10_000, "the sync after subscribing");
    const host = await device(n2, "host", tHost!, "h", "IOS");
    host.on("error", () => undefined);
    await until(() => seen.length === 2, 10_000, "host's login");
    n2.kill("SIGKILL");
    await n2.exited;
    await until(() => seen.length === 3, 15_000, "host's devices logged out after its node died");
    expect(seen).toEqual(["s0:2:", "1:1:IOS", "2:3::2"]);
    // The login event log says so too.
    const res = (await call(n1, "history/queryUserEvents", {
      accid: "host",
      begintime: "0",
      endtime: String(Date.now() + 60_000),
      limit: "10",
      reverse: "1",
    })) as unknown as { events: { eventType: number; logoutReason?: number }[] };
    expect(res.events.map((e) => [e.eventType, e.logoutReason])).toEqual([
      [2, undefined],
      [3, 2],
    ]);
  });
});
