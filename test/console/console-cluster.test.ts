import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, type NimbusClient } from "nimbus/client";
import { signedCall } from "../support/nim-api.ts";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";
import { next, until } from "../gateway/support.ts";

const APP_KEY = "consoleclusterapp";
const APP_SECRET = "console-cluster-secret";
const OPERATOR = "console-cluster-operator-token";

interface Overview {
  nodes: { nodeId: string; devices: number; actors: { active: number } }[];
}

// A console on one node shows every node of the cluster, and its actions reach devices anywhere.
describeWith(["nats", "mongo"], "operator console across two node processes (real NATS and FerretDB)", () => {
  const nodes: NodeProcess[] = [];
  const clients: NimbusClient[] = [];
  const consoleApi = async <T>(node: NodeProcess, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${node.url}/console/api/${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${OPERATOR}`, ...(body !== undefined && { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: "test/fixtures/gateway-node.ts",
        nodeIds: ["k1", "k2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        config: { operator: { token: OPERATOR }, apps: [{ appKey: APP_KEY, appSecret: APP_SECRET }] },
      })),
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await killCluster(nodes);
  });

  it("lists both nodes with their devices, and kicks a device on the other node", async () => {
    const [k1, k2] = nodes as [NodeProcess, NodeProcess];
    const created = (await signedCall({ url: k1.url, appKey: APP_KEY, appSecret: APP_SECRET }, "user/create", {
      accid: "kim",
    })) as unknown as {
      info: { token: string };
    };
    const login = (node: NodeProcess, deviceId: string) =>
      connect({
        url: node.url,
        appKey: APP_KEY,
        accid: "kim",
        token: created.info.token,
        deviceId,
        clientType: "PC",
        reconnect: { enabled: false },
      });
    const [one, two] = [await login(k1, "one"), await login(k2, "two")];
    clients.push(one, two);

    await until(
      async () => {
        const { nodes: seen } = await consoleApi<Overview>(k1, "overview");
        return seen.length === 2 && seen.every((n) => n.devices === 1);
      },
      5000,
      "both nodes with one device each",
    );
    const { nodes: seen } = await consoleApi<Overview>(k1, "overview");
    expect(seen.map((n) => n.nodeId).sort()).toEqual(["k1", "k2"]);

    const kicked = next(two, "kicked", 5000);
    await consoleApi(k1, "kick", { app: APP_KEY, accid: "kim", deviceId: "two" });
    expect((await kicked).reason).toBe(5);
    expect(one.state).toBe("connected");

    // Asking k2 for its stats was a bus round trip, and k1's metrics timed it.
    const metrics = await (await fetch(`${k1.url}/metrics`)).text();
    expect(metrics).toMatch(/^nimbus_bus_request_duration_seconds_count\{[^}]*outcome="ok"[^}]*\} [1-9]/m);
  });
});
