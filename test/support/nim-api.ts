import { randomBytes } from "node:crypto";
import { describe } from "vitest";
import { pino } from "pino";
import { configSchema, type AppConfig } from "../../src/config/schema.ts";
import { checkSum } from "../../src/http/nim/auth.ts";
import { startNode, type NimbusNode } from "../../src/node.ts";
import { tempDir } from "./processes.ts";
import { describeWith, serviceUrl, uniqueName } from "./services.ts";

export type Backend = "sqlite" | "mongo";

/** NIM's answer: always `code`; `desc` on errors; payload keys otherwise. */
export interface NimResponse {
  code: number;
  desc?: string;
  [key: string]: unknown;
}

export interface CallOptions {
  /** Sign with another secret, time or nonce: for the auth tests. */
  appKey?: string;
  appSecret?: string;
  curTime?: string;
  nonce?: string;
  checkSum?: string;
  prefix?: "/nimserver" | "";
}

export interface ApiNode {
  readonly node: NimbusNode;
  readonly url: string;
  readonly appKey: string;
  readonly appSecret: string;
  /** A signed form POST to `/nimserver/<path>.action`; params are sent as given (strings). */
  call(path: string, params?: Record<string, string>, options?: CallOptions): Promise<NimResponse>;
  /** A signed POST of a raw body (see signedPost). */
  post(path: string, body: string | Uint8Array, options?: RawCallOptions): Promise<NimResponse>;
  /** Stops the node and starts it again on the same data: for durability tests. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Where and as whom to call the server API. */
export interface ApiTarget {
  url: string;
  appKey: string;
  appSecret: string;
}

/** A server-API call as an app server makes it: a form POST to `/nimserver/<path>.action`, signed with CheckSum. */
export async function signedCall(
  target: ApiTarget,
  path: string,
  params: Record<string, string> = {},
  o: CallOptions = {},
): Promise<NimResponse> {
  return signedPost(target, path, new URLSearchParams(params).toString(), o);
}

export interface RawCallOptions extends CallOptions {
  /** Sent as is; the default is NIM's `application/x-www-form-urlencoded;charset=utf-8`. Null sends none. */
  contentType?: string | null;
  /** Appended to the URL after `?`, as is. */
  query?: string;
}

/** A signed POST with a body given byte for byte: for requests no well-behaved client would send. */
export async function signedPost(target: ApiTarget, path: string, body: string | Uint8Array, o: RawCallOptions = {}): Promise<NimResponse> {
  const nonce = o.nonce ?? randomBytes(12).toString("hex");
  const curTime = o.curTime ?? String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    AppKey: o.appKey ?? target.appKey,
    Nonce: nonce,
    CurTime: curTime,
    CheckSum: o.checkSum ?? checkSum(o.appSecret ?? target.appSecret, nonce, curTime),
  };
  const contentType = o.contentType === undefined ? "application/x-www-form-urlencoded;charset=utf-8" : o.contentType;
  if (contentType !== null) headers["content-type"] = contentType;
  const query = o.query === undefined ? "" : `?${o.query}`;
  const res = await fetch(`${target.url}${o.prefix ?? "/nimserver"}/${path}.action${query}`, { method: "POST", headers, body });
  if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${path}: NIM answers are always 200`);
  return (await res.json()) as NimResponse;
}

/** history/querySessionMsg parameters for the newest 100 messages between two accounts, whenever sent. */
export function newestMessages(from: string, to: string): Record<string, string> {
  return { from, to, begintime: "0", endtime: String(Date.now() + 60_000), limit: "100" };
}

export interface ApiNodeOptions {
  backend: Backend;
  /** Merged over the test app's config, e.g. `{ limits: { maxFriends: 5 } }`. */
  app?: Partial<Omit<AppConfig, "limits">> & { limits?: Partial<AppConfig["limits"]> };
  /** The node's ask deadline; the default is the product's (5 s). */
  askTimeoutMs?: number;
}

/** A real node in this process, listening on a random loopback port, on SQLite or FerretDB. */
export async function startApiNode(options: ApiNodeOptions): Promise<ApiNode> {
  const appKey = uniqueName("app");
  const appSecret = randomBytes(16).toString("hex");
  const dataDir = tempDir("api");
  const database = uniqueName("api");
  const config = configSchema.parse({
    nodeId: uniqueName("node"),
    port: 0,
    dataDir,
    store: options.backend === "mongo" ? { kind: "mongo", mongoUrl: serviceUrl("mongo"), mongoDatabase: database } : { kind: "sqlite" },
    apps: [{ appKey, appSecret, ...options.app, limits: { requestsPerSecond: 100_000, ...options.app?.limits } }],
    log: { level: "silent" },
    ...(options.askTimeoutMs === undefined ? {} : { actors: { askTimeoutMs: options.askTimeoutMs } }),
  });
  const log = pino({ level: process.env.NIMBUS_TEST_LOG ?? "silent" });
  let node = await startNode(config, { log });

  const api: ApiNode = {
    get node() {
      return node;
    },
    get url() {
      return `http://${node.address}`;
    },
    appKey,
    appSecret,
    call(path, params = {}, o = {}) {
      return signedCall({ url: `http://${node.address}`, appKey, appSecret }, path, params, o);
    },
    post(path, body, o = {}) {
      return signedPost({ url: `http://${node.address}`, appKey, appSecret }, path, body, o);
    },
    async restart() {
      await node.stop();
      node = await startNode(config, { log });
    },
    async close() {
      await node.stop();
    },
  };
  return api;
}

/**
 * Runs one API suite on each backend: SQLite always, FerretDB when it is there (and under CI it
 * must be). `body` gets the backend; it starts its own nodes with `startApiNode`.
 */
export function describeOnEachStore(name: string, body: (backend: Backend) => void): void {
  describe(`${name} [sqlite]`, () => body("sqlite"));
  describeWith(["mongo"], `${name} [ferretdb]`, () => body("mongo"));
}
