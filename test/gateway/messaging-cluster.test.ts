import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, type NimbusClient } from "nimbus/client";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { createAccountOn, killCluster, startCluster } from "../support/cluster.ts";
import { next, sleep } from "./support.ts";
import { Received, expectSameAsServer, range, serverHistory } from "./messaging-support.ts";

const ENTRY = "test/fixtures/gateway-node.ts";
const APP_KEY = "msgclusterapp";
const APP_SECRET = "messaging-cluster-secret";

const createAccount = (node: NodeProcess, accid: string) => createAccountOn(node, { appKey: APP_KEY, appSecret: APP_SECRET }, accid);

describeWith(["nats", "mongo"], "gateway messaging across two node processes (real NATS and FerretDB)", () => {
  const nodes: NodeProcess[] = [];
  const clients: NimbusClient[] = [];

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds: ["m1", "m2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        config: { gateway: { ratePerSecond: 10_000, rateBurst: 10_000 }, apps: [{ appKey: APP_KEY, appSecret: APP_SECRET }] },
      })),
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await killCluster(nodes);
  });

  async function device(node: NodeProcess, accid: string, token: string, deviceId: string, extra: object = {}): Promise<NimbusClient> {
    const c = await connect({ url: node.url, appKey: APP_KEY, accid, token, deviceId, clientType: "WEB", ...extra });
    clients.push(c);
    return c;
  }

  it("sender on node 1, receiver on node 2: every message once, in order, on both sides", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const [tk, tl] = [await createAccount(n1, "kai"), await createAccount(n2, "lea")];
    const sender = await device(n1, "kai", tk, "k1");
    const senderPhone = await device(n2, "kai", tk, "k2");
    const receiver = await device(n2, "lea", tl, "l1");
    const receiverLaptop = await device(n1, "lea", tl, "l2");
    expect([sender.session.nodeId, receiver.session.nodeId]).toEqual(["m1", "m2"]);
    await Promise.all([sender, senderPhone, receiver, receiverLaptop].map((c) => c.synced()));
    const seen = [sender, senderPhone, receiver, receiverLaptop].map((c) => new Received(c));

    const acks = await Promise.all(range(1, 100).map((i) => sender.sendText("lea", `kai ${i}`)));
    const replies = await Promise.all(range(1, 20).map((i) => receiver.sendText("kai", `lea ${i}`)));
    expect([...acks, ...replies].map((a) => a.seq).sort((x, y) => x - y)).toEqual(range(1, 120));
    for (const r of seen) await r.reach("kai|lea", 120, 15_000);
    await sleep(300);
    const history = await serverHistory(receiver, "kai", 120);
    for (const r of seen) expectSameAsServer(r.of("kai|lea"), history);
  });

  it("a receiver offline during 150 messages sent through node 1 catches up on node 2: the newest 100, in order", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const [tm, to] = [await createAccount(n1, "max"), await createAccount(n1, "oda")];
    const sender = await device(n1, "max", tm, "m1");
    const first = await device(n2, "oda", to, "o1");
    const got = new Received(first);
    await sender.sendText("oda", "hello");
    await got.reach("max|oda", 1);
    const saved = first.syncState();
    await first.logout();

    const acks = await Promise.all(range(1, 150).map((i) => sender.sendText("oda", `away ${i}`)));
    expect(acks.map((a) => a.seq).sort((x, y) => x - y)).toEqual(range(2, 151));

    const back = await device(n2, "oda", to, "o1", { syncState: saved });
    const caught = new Received(back);
    const list = await next(back, "conversations", 10_000);
    expect(caught.seqs("max|oda")).toEqual(range(52, 151));
    expect(list.find((c) => c.conv === "max|oda")).toMatchObject({ lastSeq: 151, unread: 151 });
    // Live again: the next message from node 1 is pushed, once.
    await sender.sendText("oda", "welcome back");
    await caught.reach("max|oda", 152);
    await sleep(200);
    expect(caught.seqs("max|oda")).toEqual(range(52, 152));
  });
});
