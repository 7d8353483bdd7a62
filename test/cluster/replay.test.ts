import { afterAll, beforeAll, expect, it } from "vitest";
import { newestMessages, signedCall, type CallOptions, type NimResponse } from "../support/nim-api.ts";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";

const APP_KEY = "replayclusterapp";
const APP_SECRET = "replay-cluster-secret";

function call(node: NodeProcess, path: string, params: Record<string, string>, o: CallOptions = {}): Promise<NimResponse> {
  return signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params, o);
}

/** A replayed signed request is refused by every node: the nonce is claimed in the shared store. */
describeWith(["nats", "mongo"], "server API replays in a cluster: two node processes, real NATS and FerretDB", () => {
  const nodes: NodeProcess[] = [];

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: "test/fixtures/cluster-node.ts",
        nodeIds: ["r1", "r2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
      })),
    );
    for (const accid of ["ra", "rb"]) expect((await call(nodes[0]!, "user/create", { accid })).code).toBe(200);
  });

  afterAll(async () => {
    await killCluster(nodes);
  });

  it("refuses on node 2 a sendMsg first accepted by node 1, and stores it once", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const send = { from: "ra", ope: "0", to: "rb", type: "0", body: JSON.stringify({ msg: "once" }) };
    const signed: CallOptions = { nonce: `cluster-replay-${Date.now()}`, curTime: String(Math.floor(Date.now() / 1000)) };
    expect((await call(n1, "msg/sendMsg", send, signed)).code).toBe(200);
    expect(await call(n2, "msg/sendMsg", send, signed)).toEqual({ code: 431, desc: "Nonce was already used: replayed request" });
    expect((await call(n1, "msg/sendMsg", send, signed)).code).toBe(431);
    const history = await call(n2, "history/querySessionMsg", newestMessages("ra", "rb"));
    expect(history.size).toBe(1);
  });

  it("lets exactly one of two nodes take a request sent to both at once", async () => {
    const signed: CallOptions = { nonce: `cluster-race-${Date.now()}`, curTime: String(Math.floor(Date.now() / 1000)) };
    const codes = await Promise.all(nodes.map((n) => call(n, "user/getUinfos", { accids: '["ra"]' }, signed).then((r) => r.code)));
    expect(codes.sort()).toEqual([200, 431]);
  });
});
