/**
 * Centrifugo v6 as a peer in the chat room benchmarks: installed with `go install` when missing
 * (the pinned version; a failed install fails the scenario loudly, it never skips), started on
 * loopback with a config this file writes, stopped with its process.
 *
 * The settings, and why (Centrifugo's docs: configuration, engines, history, server API):
 * - The memory engine (a single node, the same as the one Nimbus node); history off, or on with a
 *   10-day TTL (`history_ttl: 240h`) to match a chat room's history, and a stream long enough to
 *   hold everything one bench run publishes to a channel.
 * - `client.insecure`: subscribers connect and subscribe without a token (the bench measures
 *   fan-out, not JWT checks; Nimbus's members do pay for their token check, so this favours the peer).
 * - The server HTTP API with an API key (`X-API-Key`), the way an app backend publishes.
 * - Logging at `error`, no TLS, no compression; GOMAXPROCS left to Go (all cores), as the docs run it.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/support/processes.ts";

export const CENTRIFUGO_MODULE = "github.com/centrifugal/centrifugo/v6@v6.9.1";
export const CENTRIFUGO_API_KEY = "bench-api-key";

export interface RunningCentrifugo {
  /** ws://127.0.0.1:<port>/connection/websocket */
  wsUrl: string;
  /** http://127.0.0.1:<port>/api */
  apiUrl: string;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

function goBin(): string {
  return join(execFileSync("go", ["env", "GOPATH"], { encoding: "utf8" }).trim(), "bin");
}

/** The centrifugo binary: on PATH, in GOPATH/bin, or installed there now (about a minute). Throws when it cannot be. */
export function ensureCentrifugo(): string {
  try {
    return execFileSync("bash", ["-c", "command -v centrifugo"], { encoding: "utf8" }).trim();
  } catch {
    // not on PATH
  }
  let bin: string;
  try {
    bin = join(goBin(), "centrifugo");
  } catch (err) {
    throw new Error(`centrifugo is not installed and Go is not available to install it (${String(err)})`);
  }
  if (existsSync(bin)) return bin;
  console.error(`installing centrifugo: go install ${CENTRIFUGO_MODULE}`);
  try {
    execFileSync("go", ["install", CENTRIFUGO_MODULE], { stdio: "inherit" });
  } catch (err) {
    throw new Error(`centrifugo could not be installed (go install ${CENTRIFUGO_MODULE}): ${String(err)}`);
  }
  if (!existsSync(bin)) throw new Error(`go install ${CENTRIFUGO_MODULE} left no ${bin}`);
  return bin;
}

export interface CentrifugoOptions {
  /** History on with a 10-day TTL (a chat room's), or off. */
  history: boolean;
}

function config(port: number, o: CentrifugoOptions): string {
  return JSON.stringify(
    {
      http_server: { address: "127.0.0.1", port },
      log: { level: "error" },
      engine: { type: "memory" },
      client: { insecure: true, allowed_origins: ["*"] },
      http_api: { key: CENTRIFUGO_API_KEY },
      channel: {
        without_namespace: o.history ? { history_size: 100_000, history_ttl: "240h" } : {},
      },
    },
    null,
    2,
  );
}

function waitForPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`centrifugo exited with ${child.exitCode}`));
      const s = createConnection({ host: "127.0.0.1", port });
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`centrifugo did not listen on ${port} within ${ms} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Starts Centrifugo (installing it first when missing) with the bench's config. */
export async function startCentrifugo(o: CentrifugoOptions): Promise<RunningCentrifugo> {
  const bin = ensureCentrifugo();
  // A `go install` build reports v0.0.0 (its version is set by release ldflags): name the module's.
  const reported = execFileSync(bin, ["version"], { encoding: "utf8" }).trim();
  const version = reported.includes("v0.0.0") ? `${CENTRIFUGO_MODULE.split("@")[1]} (go install)` : reported;
  const dir = mkdtempSync(join(tmpdir(), "bench-centrifugo-"));
  const port = await freePort();
  const file = join(dir, "config.json");
  writeFileSync(file, config(port, o));
  // Through bash so the open-files limit is the hard limit, as for the Nimbus node's generators.
  const child = spawn("bash", ["-c", `ulimit -n $(ulimit -Hn); exec "${bin}" --config "${file}"`], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitForPort(port, child, 15_000);
  return {
    wsUrl: `ws://127.0.0.1:${port}/connection/websocket`,
    apiUrl: `http://127.0.0.1:${port}/api`,
    pid: child.pid!,
    version,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
