import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { configSchema } from "../../src/config/schema.ts";
import { signedCall } from "../support/nim-api.ts";
import { startNode, type NimbusNode } from "../../src/node.ts";
import type { GatewayOptions } from "../../src/gateway/mod.ts";
import { encodeUserEvent, userSubject, type KickEvent, type UserEvent } from "../../src/protocol/user-events.ts";
import { connect, type ClientType, type ConnectOptions, type NimbusClient, type NimbusClientEvents } from "nimbus/client";
import { tempDir } from "../support/processes.ts";
import { uniqueName } from "../support/services.ts";

/** A real node in this process on a random loopback port (SQLite), with gateway tunables. */
export interface GatewayNode {
  readonly node: NimbusNode;
  readonly url: string;
  readonly appKey: string;
  /** A signed NIM server API call; answers the JSON body. */
  call(path: string, params?: Record<string, string>): Promise<{ code: number; desc?: string; [k: string]: unknown }>;
  /** Creates an account over the REST API and returns its token. */
  createAccount(accid: string): Promise<string>;
  /** Logs a device in through the SDK. */
  device(accid: string, token: string, deviceId: string, extra?: Partial<ConnectOptions>): Promise<NimbusClient>;
  /** Publishes a user event on this node's bus, as an actor would. */
  publish(accid: string, event: UserEvent | KickEvent): void;
  close(): Promise<void>;
}

export async function startGatewayNode(
  gateway: Partial<GatewayOptions> = {},
  {
    limits,
    app,
    hooks,
    ...node
  }: {
    publicAddress?: string;
    limits?: Record<string, unknown>;
    /** The app's hooks config (callback, dataSync). */
    hooks?: Record<string, unknown>;
    http?: Record<string, number>;
    /** The same data directory and app again: a restart of an earlier node. */
    dataDir?: string;
    app?: { appKey: string; appSecret: string };
    bus?: { natsUrl: string };
    store?: { kind: "mongo"; mongoUrl: string; mongoDatabase: string };
  } = {},
): Promise<GatewayNode> {
  const appKey = app?.appKey ?? uniqueName("app");
  const appSecret = app?.appSecret ?? randomBytes(16).toString("hex");
  const config = configSchema.parse({
    nodeId: uniqueName("node"),
    port: 0,
    dataDir: tempDir("gateway"),
    apps: [{ appKey, appSecret, limits: { requestsPerSecond: 100_000, ...limits }, ...(hooks && { hooks }) }],
    log: { level: "silent" },
    ...node,
  });
  const started = await startNode(config, { log: pino({ level: process.env.NIMBUS_TEST_LOG ?? "silent" }), gateway });
  const url = `http://${started.address}`;
  const clients: NimbusClient[] = [];
  const gw: GatewayNode = {
    node: started,
    url,
    appKey,
    call(path, params = {}) {
      return signedCall({ url, appKey, appSecret }, path, params);
    },
    async createAccount(accid) {
      const res = await gw.call("user/create", { accid });
      if (res.code !== 200) throw new Error(`user/create ${accid}: ${JSON.stringify(res)}`);
      return (res as unknown as { info: { token: string } }).info.token;
    },
    async device(accid, token, deviceId, extra = {}) {
      const client = await connect({ url, appKey, accid, token, deviceId, clientType: "WEB" as ClientType, ...extra });
      clients.push(client);
      return client;
    },
    publish(accid, event) {
      started.bus.publish(userSubject(appKey, accid), encodeUserEvent(event));
    },
    async close() {
      await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
      await started.stop();
    },
  };
  return gw;
}

/** Collects a client's events of one kind, for assertions. */
export function record<K extends keyof NimbusClientEvents>(client: NimbusClient, name: K): NimbusClientEvents[K][] {
  const seen: NimbusClientEvents[K][] = [];
  client.on(name, (e) => seen.push(e));
  return seen;
}

/** The next event of one kind, or a rejection after `ms`. */
export function next<K extends keyof NimbusClientEvents>(client: NimbusClient, name: K, ms = 5000): Promise<NimbusClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(name)} event within ${ms} ms`)), ms);
    client.once(name, (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

/** Waits until `check` holds, polling. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cuts a client's socket without a close handshake, as a network failure would. */
export function dropSocket(client: NimbusClient): void {
  const transport = client.room?.connection.transport as unknown as { ws: { terminate(): void } } | undefined;
  if (!transport) throw new Error("not connected");
  transport.ws.terminate();
}
