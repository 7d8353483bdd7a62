import { beforeAll, afterAll } from "vitest";
import { connect, type NimbusClient } from "nimbus/client";
import { signedCall } from "../support/nim-api.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { createAccountOn, killCluster, startCluster } from "../support/cluster.ts";

const ENTRY = "test/fixtures/gateway-node.ts";

export interface TwoNodes {
  readonly nodes: NodeProcess[];
  call(node: NodeProcess, path: string, params: Record<string, string>): Promise<{ code: number; [k: string]: unknown }>;
  createAccount(node: NodeProcess, accid: string): Promise<string>;
  /** An SDK device of `accid` on `node`, synced; logged out after the suite. */
  device(node: NodeProcess, accid: string, token: string): Promise<NimbusClient>;
}

/**
 * Gateway node processes for one suite (real NATS and FerretDB: call inside `describeWith`),
 * started before it and stopped after, with their app and the SDK devices made on them.
 */
export function gatewayCluster(appKey: string, appSecret: string, nodeIds: string[]): TwoNodes {
  const nodes: NodeProcess[] = [];
  const clients: NimbusClient[] = [];
  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds,
        appKey,
        appSecret,
        config: { gateway: { ratePerSecond: 10_000, rateBurst: 10_000 }, apps: [{ appKey, appSecret }] },
      })),
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await killCluster(nodes);
  });
  return {
    nodes,
    async call(node, path, params) {
      return (await signedCall({ url: node.url, appKey, appSecret }, path, params)) as { code: number };
    },
    createAccount: (node, accid) => createAccountOn(node, { appKey, appSecret }, accid),
    async device(node, accid, token) {
      const c = await connect({ url: node.url, appKey, accid, token, deviceId: "d", clientType: "WEB" });
      clients.push(c);
      await c.synced();
      return c;
    },
  };
}
