import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitUntil } from "./actor-system.ts";
import { tempDir } from "./processes.ts";
import { health, spawnNode, type NodeProcess } from "./node-process.ts";
import { serviceUrl, uniqueName } from "./services.ts";
import { signedCall } from "./nim-api.ts";

export interface ClusterOptions {
  /** The node process entry, e.g. test/fixtures/cluster-node.ts. */
  entry: string;
  nodeIds: string[];
  appKey: string;
  appSecret: string;
  /** Merged into the config file: app limits, gateway knobs, … */
  config?: Record<string, unknown>;
}

/**
 * Node processes sharing the run's real NATS and FerretDB, each cluster in its own database and
 * subject prefix, with fast heartbeats; resolves once every node sees every other.
 */
export async function startCluster(o: ClusterOptions): Promise<NodeProcess[]> {
  const dir = tempDir("cluster");
  const configFile = join(dir, "nimbus.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      store: { kind: "mongo", mongoUrl: serviceUrl("mongo"), mongoDatabase: uniqueName("cluster") },
      bus: { natsUrl: serviceUrl("nats"), prefix: uniqueName("c") },
      cluster: { heartbeatMs: 250, deadAfterMs: 1500 },
      ...o.config,
    }),
  );
  const env = { NIMBUS_CONFIG: configFile, NIMBUS_APP_KEY: o.appKey, NIMBUS_APP_SECRET: o.appSecret, NIMBUS_DATA_DIR: dir };
  const nodes = await Promise.all(o.nodeIds.map((id) => spawnNode(o.entry, id, env)));
  await waitUntil(
    async () => (await Promise.all(nodes.map(health))).every((h) => h.members.length === nodes.length),
    10_000,
    `${nodes.length} members`,
  );
  return nodes;
}

/** kill -9 every node still running, and wait for them to be gone. */
export async function killCluster(nodes: readonly NodeProcess[]): Promise<void> {
  for (const n of nodes) n.kill("SIGKILL");
  await Promise.all(nodes.map((n) => n.exited));
}

/** Creates `accid` through `node`'s server API for the cluster's app; answers its token (insists on 200). */
export async function createAccountOn(node: NodeProcess, app: { appKey: string; appSecret: string }, accid: string): Promise<string> {
  const body = (await signedCall({ url: node.url, ...app }, "user/create", { accid })) as unknown as {
    code: number;
    info?: { token: string };
  };
  if (body.code !== 200 || !body.info) throw new Error(`user/create ${accid}: ${JSON.stringify(body)}`);
  return body.info.token;
}
