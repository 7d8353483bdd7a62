import { it, expect, beforeAll, afterAll } from "vitest";
import { describeWith } from "../support/services.ts";
import { health, type NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";

const ENTRY = "test/fixtures/cluster-node.ts";

async function incr(node: NodeProcess, id: string): Promise<{ code: number; count?: number; desc?: string }> {
  const res = await fetch(`${node.url}/test/counter/${id}/incr`, { method: "POST" });
  return (await res.json()) as { code: number; count?: number };
}

async function read(node: NodeProcess, id: string): Promise<{ code: number; count: number; activeHere: boolean }> {
  const res = await fetch(`${node.url}/test/counter/${id}`);
  return (await res.json()) as { code: number; count: number; activeHere: boolean };
}

/** Runs `total` calls over `nodes` round-robin, `concurrency` at a time, and returns every answer. */
async function spread<T>(nodes: NodeProcess[], total: number, concurrency: number, call: (n: NodeProcess) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await call(nodes[i % nodes.length]!);
      }
    }),
  );
  return results;
}

describeWith(["nats", "mongo"], "cluster: three node processes, real NATS and FerretDB", () => {
  const nodes: NodeProcess[] = [];
  beforeAll(async () => {
    nodes.push(...(await startCluster({ entry: ENTRY, nodeIds: ["n1", "n2", "n3"], appKey: "clusterapp", appSecret: "cluster-secret" })));
  });

  afterAll(async () => {
    await killCluster(nodes);
  });

  it("reports store, bus and members on /healthz", async () => {
    const h = await health(nodes[0]!);
    expect(h).toMatchObject({ nodeId: "n1", store: "mongo", bus: "nats" });
    expect(h.members).toEqual(["n1", "n2", "n3"]);
  });

  it("counts 1,000 concurrent increments from three nodes exactly, with one activation", async () => {
    const answers = await spread(nodes, 1000, 30, (n) => incr(n, "hot"));
    expect(answers.filter((a) => a.code !== 200)).toEqual([]);
    // Every acknowledged value is distinct: no increment was applied twice or lost.
    expect(new Set(answers.map((a) => a.count)).size).toBe(1000);
    for (const n of nodes) expect((await read(n, "hot")).count).toBe(1000);
    const healths = await Promise.all(nodes.map(health));
    expect(healths.reduce((sum, h) => sum + h.actors.activations, 0)).toBe(1);
    expect(healths.reduce((sum, h) => sum + h.actors.fenced, 0)).toBe(0);
    expect(healths.reduce((sum, h) => sum + h.actors.remoteIn, 0)).toBeGreaterThan(0);
  });

  it("survives kill -9 of the hosting node: the survivors take over from the store within 5 s, count exact", async () => {
    const states = await Promise.all(nodes.map((n) => read(n, "hot")));
    const hostIndex = states.findIndex((s) => s.activeHere);
    expect(hostIndex).toBeGreaterThanOrEqual(0);
    const host = nodes[hostIndex]!;
    const survivors = nodes.filter((n) => n !== host);

    host.kill("SIGKILL");
    await host.exited;
    const killedAt = Date.now();
    const first = await incr(survivors[0]!, "hot");
    const recoveredIn = Date.now() - killedAt;
    expect(first).toEqual({ code: 200, count: 1001 });
    expect(recoveredIn).toBeLessThan(5000);

    const more = await spread(survivors, 99, 10, (n) => incr(n, "hot"));
    expect(more.filter((a) => a.code !== 200)).toEqual([]);
    for (const n of survivors) expect((await read(n, "hot")).count).toBe(1100);
    for (const n of survivors) expect((await health(n)).members).toEqual(survivors.map((s) => s.nodeId));
    nodes.splice(hostIndex, 1);
  });

  it("drains on SIGTERM: the leaving node saves and exits 0, and the rest carry on with the right count", async () => {
    const states = await Promise.all(nodes.map((n) => read(n, "hot")));
    const host = nodes[states.findIndex((s) => s.activeHere)]!;
    const other = nodes.find((n) => n !== host)!;
    host.kill("SIGTERM");
    expect(await host.exited).toBe(0);
    expect(await incr(other, "hot")).toEqual({ code: 200, count: 1101 });
    expect((await health(other)).members).toEqual([other.nodeId]);
    nodes.splice(nodes.indexOf(host), 1);
  });
});
