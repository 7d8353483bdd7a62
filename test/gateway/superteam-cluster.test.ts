import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, type NimbusClient } from "nimbus/client";
import { signedCall } from "../support/nim-api.ts";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { createAccountOn, killCluster, startCluster } from "../support/cluster.ts";
import { sleep } from "./support.ts";
import { Received, expectSameAsServer, range, serverHistory } from "./messaging-support.ts";

const ENTRY = "test/fixtures/gateway-node.ts";
const APP_KEY = "superteamclusterapp";
const APP_SECRET = "super-team-cluster-secret";

async function call(node: NodeProcess, path: string, params: Record<string, string>): Promise<{ code: number; [k: string]: unknown }> {
  return (await signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params)) as { code: number };
}

const createAccount = (node: NodeProcess, accid: string) => createAccountOn(node, { appKey: APP_KEY, appSecret: APP_SECRET }, accid);

describeWith(["nats", "mongo"], "super teams across two node processes (real NATS and FerretDB)", () => {
  const nodes: NodeProcess[] = [];
  const clients: NimbusClient[] = [];

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds: ["s1", "s2"],
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

  it("members on two nodes, one invited while online: every member's device gets every message once, in order", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const names = range(0, 11).map((i) => `sc${i}`);
    const tokens = await Promise.all(names.map((a, i) => createAccount(i % 2 === 0 ? n1 : n2, a)));
    // sc11 joins later, while its device is online (on s2): its node must start holding the subject.
    const res = await call(n1, "superteam/create", {
      tname: "s",
      owner: "sc0",
      inviteAccids: JSON.stringify(names.slice(1, 11)),
      msg: "m",
      joinmode: "0",
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const tid = String(res.tid);
    const conv = `superteam:${tid}`;
    const devices = await Promise.all(
      names.map(async (accid, i) => {
        const c = await connect({
          url: (i % 2 === 0 ? n1 : n2).url,
          appKey: APP_KEY,
          accid,
          token: tokens[i]!,
          deviceId: "d",
          clientType: "WEB",
        });
        clients.push(c);
        await c.synced();
        return c;
      }),
    );
    expect(new Set(devices.map((d) => d.session.nodeId))).toEqual(new Set(["s1", "s2"]));
    const invited = await call(n2, "superteam/invite", { tid, owner: "sc0", inviteAccids: JSON.stringify(["sc11"]), msg: "m" });
    expect(invited.code, JSON.stringify(invited)).toBe(200);
    await sleep(300);
    const seen = devices.map((c) => new Received(c));
    // Senders on both nodes, at once: seqs come from the one super team actor. Seq 1 and 2 are the invites.
    const acks = await Promise.all(range(1, 60).map((i) => devices[i % 4]!.sendText(conv, `m${i}`)));
    expect(acks.map((a) => a.seq).sort((x, y) => x - y)).toEqual(range(3, 62));
    for (const r of seen) await r.reach(conv, 62, 20_000);
    await sleep(300);
    const history = await serverHistory(devices[3]!, conv, 62);
    for (const r of seen)
      expectSameAsServer(
        r.of(conv).filter((m) => m.seq >= 3),
        history.slice(2),
      );
  }, 90_000);
});
