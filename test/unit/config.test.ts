import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { loadConfig, ConfigError } from "../../src/config/mod.ts";
import { tempDir } from "../support/processes.ts";

function configFile(content: unknown): string {
  const file = join(tempDir("config"), "nimbus.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("runs one node on SQLite with a generated development app when nothing is set", () => {
    const dataDir = tempDir("cfg-default");
    const { config, devApp } = loadConfig({ NIMBUS_DATA_DIR: dataDir });
    expect(config.port).toBe(2567);
    expect(config.store.kind).toBe("sqlite");
    expect(config.bus.natsUrl).toBeUndefined();
    expect(devApp?.appKey).toMatch(/^dev[0-9a-f]{24}$/);
    expect(config.apps).toEqual([devApp]);
    // The development app is kept: a restart prints the same key.
    expect(loadConfig({ NIMBUS_DATA_DIR: dataDir }).devApp?.appKey).toBe(devApp?.appKey);
  });

  it("applies env overrides over the file", () => {
    const file = configFile({ port: 4000, apps: [{ appKey: "fromfile", appSecret: "secret-from-file" }] });
    const { config, devApp } = loadConfig({
      NIMBUS_CONFIG: file,
      NIMBUS_PORT: "4100",
      NIMBUS_NATS_URL: "nats://127.0.0.1:4222",
      NIMBUS_MONGO_URL: "mongodb://127.0.0.1:27017/",
      NIMBUS_NODE_ID: "node-a",
      NIMBUS_PUBLIC_ADDRESS: "10.1.2.3:4100",
      NIMBUS_APP_KEY: "envkey",
      NIMBUS_APP_SECRET: "env-secret-123",
      NIMBUS_DATA_DIR: tempDir("cfg-env"),
    });
    expect(devApp).toBeUndefined();
    expect(config).toMatchObject({ port: 4100, nodeId: "node-a", publicAddress: "10.1.2.3:4100" });
    expect(config.bus.natsUrl).toBe("nats://127.0.0.1:4222");
    expect(config.store).toMatchObject({ kind: "mongo", mongoUrl: "mongodb://127.0.0.1:27017/" });
    expect(config.apps.map((a) => a.appKey)).toEqual(["envkey"]);
    expect(config.apps[0]?.limits.maxFriends).toBe(3000);
  });

  it("reads each app's hooks, defaults filled, and NIMBUS_CALLBACK_URL / NIMBUS_DATASYNC_URL set the first app's URLs", () => {
    const file = configFile({
      apps: [
        { appKey: "first", appSecret: "first-secret", hooks: { callback: { onFailure: "deny", timeoutMs: 100, events: [1, 36] } } },
        { appKey: "second", appSecret: "second-secret", hooks: { dataSync: { url: "https://app.example/sync", events: [1] } } },
      ],
    });
    const { config } = loadConfig({
      NIMBUS_CONFIG: file,
      NIMBUS_DATA_DIR: tempDir("cfg-hooks"),
      NIMBUS_CALLBACK_URL: "http://127.0.0.1:9000/cb",
      NIMBUS_DATASYNC_URL: "http://127.0.0.1:9000/sync",
    });
    expect(config.apps[0]!.hooks).toEqual({
      callback: { url: "http://127.0.0.1:9000/cb", timeoutMs: 100, onFailure: "deny", events: [1, 36] },
      dataSync: { url: "http://127.0.0.1:9000/sync" },
    });
    expect(config.apps[1]!.hooks).toEqual({
      callback: { timeoutMs: 2000, onFailure: "allow" },
      dataSync: { url: "https://app.example/sync", events: [1] },
    });
    expect(problemsOf({ NIMBUS_DATA_DIR: tempDir("cfg-hooks-bad"), NIMBUS_DATASYNC_URL: "ftp://x" })).toEqual([
      "NIMBUS_DATASYNC_URL: an http:// or https:// URL",
    ]);
    const bad = configFile({
      apps: [{ appKey: "abcd", appSecret: "12345678", hooks: { callback: { timeoutMs: 50, onFailure: "maybe" } } }],
    });
    expect(problemsOf({ NIMBUS_CONFIG: bad })).toEqual([
      expect.stringMatching(/^apps\.0\.hooks\.callback\.timeoutMs: /),
      expect.stringMatching(/^apps\.0\.hooks\.callback\.onFailure: /),
    ]);
  });

  it("names the key and the problem for each bad value", () => {
    expect(problemsOf({ NIMBUS_PORT: "eighty" })).toEqual([expect.stringMatching(/^port: /)]);
    expect(problemsOf({ NIMBUS_CONFIG: configFile({ port: 70000 }) })).toEqual([expect.stringMatching(/^port: .*65535/)]);
    expect(problemsOf({ NIMBUS_CONFIG: configFile({ prot: 1 }) })[0]).toMatch(/prot/);
    expect(problemsOf({ NIMBUS_CONFIG: configFile({ store: { kind: "mongo" } }) })).toEqual([
      expect.stringMatching(/^store\.mongoUrl: required/),
    ]);
    expect(problemsOf({ NIMBUS_CONFIG: configFile({ apps: [{ appKey: "k", appSecret: "s" }] }) })).toEqual([
      expect.stringMatching(/^apps\.0\.appKey: /),
      expect.stringMatching(/^apps\.0\.appSecret: /),
    ]);
    expect(
      problemsOf({ NIMBUS_CONFIG: configFile({ apps: [{ appKey: "abcd", appSecret: "12345678", limits: { multiDevicePolicy: 7 } }] }) })[0],
    ).toMatch(/^apps\.0\.limits\.multiDevicePolicy: /);
    expect(problemsOf({ NIMBUS_CONFIG: configFile("{not json") })[0]).toMatch(/NIMBUS_CONFIG: .* is not valid JSON/);
    expect(problemsOf({ NIMBUS_CONFIG: "/nonexistent/nimbus.json" })[0]).toMatch(/NIMBUS_CONFIG: cannot read/);
    expect(problemsOf({ NIMBUS_APP_KEY: "onlykey" })).toEqual(["NIMBUS_APP_SECRET: required together with NIMBUS_APP_KEY"]);
    expect(problemsOf({ NIMBUS_CONFIG: configFile({ http: { headersTimeoutMs: 60_000, requestTimeoutMs: 30_000 } }) })).toEqual([
      "http.headersTimeoutMs: must not be more than requestTimeoutMs",
    ]);
    expect(problemsOf({ NIMBUS_CONFIG: configFile({ http: { idleTimeoutMs: 0 } }) })[0]).toMatch(/^http\.idleTimeoutMs: /);
  });

  it("gives the HTTP port deadlines by default, from config/default.json", () => {
    const { config } = loadConfig({ NIMBUS_DATA_DIR: tempDir("cfg-http") });
    expect(config.http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 30_000 });
  });

  it("stops `npm start` with a clear message and a non-zero exit on bad config", () => {
    const res = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...process.env, NIMBUS_CONFIG: configFile({ port: "not-a-port", cluster: { heartbeatMs: 1000, deadAfterMs: 1500 } }) },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/invalid configuration/);
    expect(res.stderr).toMatch(/port: /);
    expect(res.stderr).toMatch(/cluster\.deadAfterMs: must be more than two heartbeats/);
  });
});
