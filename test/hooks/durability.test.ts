import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedCall } from "../support/nim-api.ts";
import { spawnNode, type NodeProcess } from "../support/node-process.ts";
import { tempDir } from "../support/processes.ts";
import { describeWith } from "../support/services.ts";
import { killCluster, startCluster } from "../support/cluster.ts";
import { AppServer } from "../support/app-server.ts";
import { waitUntil } from "../support/actor-system.ts";

const APP_KEY = "hooksdurable";
const APP_SECRET = "hooks-durable-secret";

function call(node: NodeProcess, path: string, params: Record<string, string>) {
  return signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params);
}

async function send(node: NodeProcess, from: string, to: string, msgidClient: string): Promise<void> {
  const res = await call(node, "msg/sendMsg", { from, ope: "0", to, type: "0", body: JSON.stringify({ msg: msgidClient }), msgidClient });
  expect(res, msgidClient).toMatchObject({ code: 200 });
}

/** The msgidClients of the eventType 1 events of one conversation, in arrival order. */
function arrivedIn(app: AppServer, a: string, b: string): string[] {
  return app
    .events("/sync", "1")
    .filter((r) => (r.body.fromAccount === a && r.body.to === b) || (r.body.fromAccount === b && r.body.to === a))
    .map((r) => String(r.body.msgidClient));
}

const firstsOf = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) === i);

describe("data sync through kill -9 of a node while the app server is down [sqlite, npm start]", () => {
  const app = new AppServer();
  let node: NodeProcess | undefined;
  const dataDir = tempDir("hooks-kill");
  const env = () => ({
    NIMBUS_APP_KEY: APP_KEY,
    NIMBUS_APP_SECRET: APP_SECRET,
    NIMBUS_DATA_DIR: dataDir,
    NIMBUS_DATASYNC_URL: app.url("/sync"),
  });

  beforeAll(async () => {
    app.secrets.set(APP_KEY, APP_SECRET);
    await app.start();
  });
  afterAll(async () => {
    node?.kill("SIGKILL");
    await node?.exited;
    await app.stop();
  });

  it("loses nothing and keeps each conversation's order", async () => {
    node = await spawnNode("src/main.ts", "hooks-kill-1", env());
    for (const u of ["k1", "k2", "k3"]) expect(await call(node, "user/create", { accid: u })).toMatchObject({ code: 200 });
    await app.stop(); // the app server goes down
    const sent: Record<string, string[]> = { "k1|k2": [], "k2|k3": [] };
    for (let i = 0; i < 8; i++) {
      await send(node, "k1", "k2", `a-${i}`);
      sent["k1|k2"]!.push(`a-${i}`);
      await send(node, "k3", "k2", `b-${i}`);
      sent["k2|k3"]!.push(`b-${i}`);
    }
    node.kill("SIGKILL");
    await node.exited;
    node = await spawnNode("src/main.ts", "hooks-kill-2", env());
    for (let i = 8; i < 12; i++) {
      await send(node, "k2", "k1", `a-${i}`);
      sent["k1|k2"]!.push(`a-${i}`);
    }
    await app.start(); // back on the same port
    await waitUntil(() => new Set([...arrivedIn(app, "k1", "k2"), ...arrivedIn(app, "k2", "k3")]).size >= 20, 60_000, "20 messages synced");
    expect(firstsOf(arrivedIn(app, "k1", "k2"))).toEqual(sent["k1|k2"]);
    expect(firstsOf(arrivedIn(app, "k2", "k3"))).toEqual(sent["k2|k3"]);
    expect(app.events("/sync").every((r) => r.signed)).toBe(true);
  });
});

describeWith(["nats", "mongo"], "data sync in a cluster of two nodes on NATS and FerretDB", () => {
  const app = new AppServer();
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    app.secrets.set(APP_KEY, APP_SECRET);
    await app.start();
    nodes = await startCluster({
      entry: "src/main.ts",
      nodeIds: ["hooks-c1", "hooks-c2"],
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      config: { apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, hooks: { dataSync: { url: app.url("/sync") } } }] },
    });
  }, 60_000);
  afterAll(async () => {
    await killCluster(nodes);
    await app.stop();
  });
  it("delivers each event once, in order per conversation, whichever node took the send", async () => {
    const [n1, n2] = nodes as [NodeProcess, NodeProcess];
    const users = ["c0", "c1", "c2", "c3", "c4", "c5"];
    for (const u of users) expect(await call(n1, "user/create", { accid: u })).toMatchObject({ code: 200 });
    const sent = new Map<string, string[]>();
    for (let i = 0; i < 6; i++) {
      await Promise.all(
        [0, 2, 4].map(async (k) => {
          const [a, b] = [users[k]!, users[k + 1]!];
          const id = `${a}-${i}`;
          await send(i % 2 ? n1 : n2, i % 3 ? a : b, i % 3 ? b : a, id);
          sent.set(`${a}|${b}`, [...(sent.get(`${a}|${b}`) ?? []), id]);
        }),
      );
    }
    await waitUntil(() => app.events("/sync", "1").length >= 18, 30_000, "18 messages synced");
    await new Promise((r) => setTimeout(r, 1500)); // a second delivery would have come by now
    for (const [conv, ids] of sent) {
      const [a, b] = conv.split("|") as [string, string];
      expect(arrivedIn(app, a, b)).toEqual(ids);
    }
  });

  it("hands a killed node's buckets to the survivor: every event arrives, in order per conversation", async () => {
    const [n1, n2] = nodes as [NodeProcess, NodeProcess];
    const users = ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"];
    for (const u of users) expect(await call(n2, "user/create", { accid: u })).toMatchObject({ code: 200 });
    await app.stop(); // nothing is delivered meanwhile: every bucket holds a backlog
    const sent = new Map<string, string[]>();
    const sendAll = async (via: NodeProcess, round: number) => {
      for (let k = 0; k < users.length; k += 2) {
        const [a, b] = [users[k]!, users[k + 1]!];
        const id = `${a}-${round}`;
        await send(via, round % 2 ? a : b, round % 2 ? b : a, id);
        sent.set(`${a}|${b}`, [...(sent.get(`${a}|${b}`) ?? []), id]);
      }
    };
    for (let round = 0; round < 4; round++) await sendAll(round % 2 ? n1 : n2, round);
    n1.kill("SIGKILL");
    await n1.exited;
    for (let round = 4; round < 6; round++) await sendAll(n2, round);
    await app.start();
    await waitUntil(
      () => new Set(app.events("/sync", "1").map((r) => String(r.body.msgidClient))).size >= 18 + 24,
      60_000,
      "every message synced",
    );
    for (const [conv, ids] of sent) {
      const [a, b] = conv.split("|") as [string, string];
      expect(firstsOf(arrivedIn(app, a, b))).toEqual(ids);
    }
  });
});
