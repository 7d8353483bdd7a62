import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve, dirname } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { configSchema, appSchema, hookUrlSchema, type Config, type AppConfig } from "./schema.ts";

/** Start-up stops on this; the message names every key that is wrong and why. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`, options);
  }
}

export interface LoadedConfig {
  config: Config;
  /** Set when the development app was generated: the operator needs its key and secret. */
  devApp?: AppConfig;
}

const defaultFile = join(dirname(fileURLToPath(import.meta.url)), "../../config/default.json");

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; anything else (arrays included) is replaced. */
function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function readJson(file: string, label: string): Json {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError([`${label}: cannot read ${file}: ${(cause as Error).message}`], { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError([`${label}: ${file} is not valid JSON: ${(cause as Error).message}`], { cause });
  }
  if (!isPlainObject(parsed)) throw new ConfigError([`${label}: ${file} must hold a JSON object`]);
  return parsed;
}

function envPort(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value; // a non-number is left for the schema to reject by name
}

/** NIMBUS_* variables, as a partial config; they win over files. */
function envOverrides(env: NodeJS.ProcessEnv): Json {
  const o: Json = {};
  if (env.NIMBUS_PORT !== undefined) o.port = envPort(env.NIMBUS_PORT);
  if (env.NIMBUS_HOST) o.host = env.NIMBUS_HOST;
  if (env.NIMBUS_DATA_DIR) o.dataDir = env.NIMBUS_DATA_DIR;
  if (env.NIMBUS_NODE_ID) o.nodeId = env.NIMBUS_NODE_ID;
  if (env.NIMBUS_PUBLIC_ADDRESS) o.publicAddress = env.NIMBUS_PUBLIC_ADDRESS;
  if (env.NIMBUS_NATS_URL) o.bus = { natsUrl: env.NIMBUS_NATS_URL };
  if (env.NIMBUS_MONGO_URL) o.store = { kind: "mongo", mongoUrl: env.NIMBUS_MONGO_URL };
  if (env.NIMBUS_LOG_LEVEL) o.log = { level: env.NIMBUS_LOG_LEVEL };
  if (env.NIMBUS_OPERATOR_TOKEN) o.operator = { token: env.NIMBUS_OPERATOR_TOKEN };
  return o;
}

function formatIssues(issues: readonly { path: PropertyKey[]; message: string }[], prefix = ""): string[] {
  return issues.map((i) => {
    const key = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
    return `${key || "(root)"}: ${i.message}`;
  });
}

/**
 * The development app: made up once, kept in the data dir so its key survives restarts, and used
 * only when no app is configured at all.
 */
function developmentApp(dataDir: string): AppConfig {
  const file = join(dataDir, "dev-app.json");
  if (existsSync(file)) {
    const parsed = appSchema.safeParse(readJson(file, "development app"));
    if (parsed.success) return parsed.data;
  }
  const app = appSchema.parse({
    appKey: `dev${randomBytes(12).toString("hex")}`,
    appSecret: randomBytes(16).toString("hex"),
    name: "development",
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ appKey: app.appKey, appSecret: app.appSecret, name: app.name }, null, 2) + "\n", {
    mode: 0o600,
  });
  return app;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw = readJson(defaultFile, "config/default.json");
  if (env.NIMBUS_CONFIG) raw = deepMerge(raw, readJson(resolve(env.NIMBUS_CONFIG), "NIMBUS_CONFIG"));
  raw = deepMerge(raw, envOverrides(env));

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues));
  const config = parsed.data;
  config.dataDir = resolve(config.dataDir);
  config.nodeId ??= `${hostname()
    .replace(/[^A-Za-z0-9_-]/g, "-")
    .slice(0, 40)}-${process.pid}`;

  let devApp: AppConfig | undefined;
  if (env.NIMBUS_APP_KEY || env.NIMBUS_APP_SECRET) {
    if (!env.NIMBUS_APP_KEY || !env.NIMBUS_APP_SECRET) {
      throw new ConfigError([
        `${env.NIMBUS_APP_KEY ? "NIMBUS_APP_SECRET" : "NIMBUS_APP_KEY"}: required together with ${env.NIMBUS_APP_KEY ? "NIMBUS_APP_KEY" : "NIMBUS_APP_SECRET"}`,
      ]);
    }
    const override = appSchema.safeParse({
      ...(config.apps[0] ?? {}),
      appKey: env.NIMBUS_APP_KEY,
      appSecret: env.NIMBUS_APP_SECRET,
    });
    if (!override.success) {
      throw new ConfigError(
        formatIssues(override.error.issues).map((p) => p.replace(/^appKey/, "NIMBUS_APP_KEY").replace(/^appSecret/, "NIMBUS_APP_SECRET")),
      );
    }
    config.apps = [override.data, ...config.apps.slice(1).filter((a) => a.appKey !== override.data.appKey)];
  } else if (config.apps.length === 0) {
    devApp = developmentApp(config.dataDir);
    config.apps = [devApp];
  }
  applyHookUrls(config, env);
  return devApp ? { config, devApp } : { config };
}

/**
 * NIMBUS_CALLBACK_URL / NIMBUS_DATASYNC_URL set the first app's hook URLs, the rest of its `hooks`
 * kept from the file (issue 20 fixes these names).
 */
function applyHookUrls(config: Config, env: NodeJS.ProcessEnv): void {
  const first = config.apps[0];
  const urls = [
    ["NIMBUS_CALLBACK_URL", env.NIMBUS_CALLBACK_URL],
    ["NIMBUS_DATASYNC_URL", env.NIMBUS_DATASYNC_URL],
  ] as const;
  const problems: string[] = [];
  for (const [name, value] of urls) {
    if (!value) continue;
    const parsed = hookUrlSchema.safeParse(value);
    if (!parsed.success) problems.push(`${name}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!first) return;
  if (env.NIMBUS_CALLBACK_URL) first.hooks.callback.url = env.NIMBUS_CALLBACK_URL;
  if (env.NIMBUS_DATASYNC_URL) first.hooks.dataSync.url = env.NIMBUS_DATASYNC_URL;
}
