import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pino } from "pino";
import { configSchema } from "../../src/config/schema.ts";
import { startNode, type NimbusNode } from "../../src/node.ts";
import { signedCall } from "../support/nim-api.ts";
import { tempDir } from "../support/processes.ts";
import { uniqueName } from "../support/services.ts";
import { connect, type NimbusClient, NimbusClientError } from "nimbus/client";
import { until } from "./support.ts";

interface Line {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A node whose log (debug and up, JSON) is kept in memory, raw lines and parsed. */
describe("logs and metrics an operator reads", () => {
  let node: NimbusNode;
  let url: string;
  const appKey = uniqueName("app");
  const appSecret = randomBytes(16).toString("hex");
  const raw: string[] = [];
  const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);
  const call = (path: string, params: Record<string, string> = {}) => signedCall({ url, appKey, appSecret }, path, params);
  const clients: NimbusClient[] = [];
  const device = async (accid: string, token: string, deviceId: string) => {
    const c = await connect({ url, appKey, accid, token, deviceId, clientType: "WEB", reconnect: { enabled: false } });
    clients.push(c);
    return c;
  };
  const metricsText = async () => (await fetch(`${url}/metrics`)).text();
  /** The value of one series whose labels include `labels`, or undefined. */
  const value = (text: string, name: string, labels: Record<string, string> = {}) => {
    for (const line of text.split("\n")) {
      const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
    }
    return undefined;
  };

  beforeAll(async () => {
    const config = configSchema.parse({
      nodeId: uniqueName("node"),
      port: 0,
      dataDir: tempDir("observability"),
      apps: [{ appKey, appSecret, limits: { requestsPerSecond: 100_000 } }],
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n")) if (l) raw.push(l);
        done();
      },
    });
    node = await startNode(config, { log: pino({ level: "debug", base: { node: config.nodeId } }, sink) });
    url = `http://${node.address}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await node.stop();
  });

  it("logs REST calls, logins, refusals and logouts at info, and a device's mistake without a stack", async () => {
    const created = (await call("user/create", { accid: "olga" })) as unknown as { info: { token: string } };
    const bob = (await call("user/create", { accid: "oleg" })) as unknown as { info: { token: string } };
    expect((await call("user/create", { accid: "bad accid!" })).code).toBe(414);
    const access = lines().filter((l) => l.msg === "rest");
    expect(access).toContainEqual(
      expect.objectContaining({
        level: 30,
        method: "POST",
        path: "/nimserver/user/create.action",
        app: appKey,
        code: 200,
        ms: expect.any(Number),
      }),
    );
    expect(access).toContainEqual(expect.objectContaining({ level: 30, path: "/nimserver/user/create.action", code: 414 }));

    await expect(
      connect({ url, appKey, accid: "olga", token: "wrong", deviceId: "p", clientType: "WEB", reconnect: { enabled: false } }),
    ).rejects.toMatchObject({
      code: 302,
    });
    expect(lines()).toContainEqual(expect.objectContaining({ level: 30, msg: "login refused", app: appKey, accid: "olga", code: 302 }));

    const olga = await device("olga", created.info.token, "phone");
    const oleg = await device("oleg", bob.info.token, "laptop");
    await until(() => lines().some((l) => l.msg === "login" && l.accid === "olga"), 3000, "the login line");
    expect(lines()).toContainEqual(
      expect.objectContaining({ level: 30, msg: "login", app: appKey, accid: "olga", deviceId: "phone", clientType: "WEB" }),
    );

    // A misbehaving device: refused with 414, logged at debug in one line, never at error.
    const before = raw.length;
    const refused = await olga.request("send", { to: 5 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NimbusClientError);
    expect((refused as NimbusClientError).code).toBe(414);
    await olga.sendText("oleg", "hello");
    const since = lines().slice(before);
    expect(since.filter((l) => l.level >= 50)).toEqual([]);
    expect(since).toContainEqual(expect.objectContaining({ level: 20, msg: "request refused", accid: "olga", code: 414 }));
    expect(raw.slice(before).some((l) => l.includes("\\n    at "))).toBe(false);

    await oleg.logout();
    await until(() => lines().some((l) => l.msg === "logout" && l.accid === "oleg"), 3000, "the logout line");
    expect(lines()).toContainEqual(expect.objectContaining({ level: 30, msg: "logout", accid: "oleg", reason: "logout" }));

    // No line names a key twice (a child logger's `component` over its parent's was one).
    for (const l of raw) expect(l.match(/"component":/g)?.length ?? 0, l).toBeLessThanOrEqual(1);
  });

  it("serves the IM series at /metrics, without doubled prefixes", async () => {
    const text = await metricsText();
    expect(value(text, "nimbus_devices_online", { client_type: "WEB" })).toBe(1);
    expect(value(text, "nimbus_logins_total", { code: "200" })).toBe(2);
    expect(value(text, "nimbus_logins_total", { code: "302" })).toBe(1);
    expect(value(text, "nimbus_logouts_total", { reason: "logout" })).toBe(1);
    expect(value(text, "nimbus_messages_total", { kind: "p2p" })).toBe(1);
    expect(value(text, "nimbus_fanout_deliveries_total")).toBeGreaterThan(0);
    expect(value(text, "nimbus_rest_requests_total", { endpoint: "user/create", code: "200" })).toBe(2);
    expect(value(text, "nimbus_rest_requests_total", { endpoint: "user/create", code: "414" })).toBe(1);
    expect(value(text, "nimbus_rest_request_duration_seconds_count", { endpoint: "user/create" })).toBe(3);
    expect(value(text, "nimbus_store_write_duration_seconds_count", { op: "journal_append" })).toBeGreaterThan(0);
    expect(value(text, "nimbus_store_write_duration_seconds_count", { op: "snapshot_save" })).toBeGreaterThan(0);
    expect(value(text, "nimbus_actor_mailbox_depth")).toBeGreaterThanOrEqual(0);
    expect(value(text, "nimbus_process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(text).not.toMatch(/nimbus_process_process_|nimbus_nimbus_/);
  });

  it("documents every series it serves, and the Grafana dashboard queries only series that exist", async () => {
    const text = await metricsText();
    const served = new Set([...text.matchAll(/^# TYPE (nimbus_\w+) /gm)].map((m) => m[1]!));
    const doc = readFileSync("docs/metrics.md", "utf8");
    for (const name of served) expect(doc, name).toContain(`\`${name}\``);
    const dashboard = readFileSync("docs/grafana-dashboard.json", "utf8");
    const used = new Set([...dashboard.matchAll(/nimbus_\w+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, "")));
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(served, name).toContain(name);
    for (const wanted of [
      "nimbus_devices_online",
      "nimbus_logins_total",
      "nimbus_messages_total",
      "nimbus_rest_request_duration_seconds",
    ]) {
      expect(used).toContain(wanted);
    }
  });
});
