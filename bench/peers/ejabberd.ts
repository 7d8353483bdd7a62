/**
 * ejabberd as a peer in the benchmarks: installed from Debian when missing (as .ci/run installs
 * nats-server), started in the foreground on loopback with a config this file writes, stopped with
 * its process group. A peer that cannot be installed or started fails the scenario loudly.
 *
 * The settings, and why (ejabberd's docs on performance and storage):
 * - Mnesia storage by default, ejabberd's own database (on disk: `mod_mam` archives every
 *   one-to-one message, `default: always`; `mod_offline` keeps what an offline user is owed: the
 *   same durability as Nimbus's journal). BENCH_EJABBERD_DB=sqlite puts everything in SQLite
 *   instead, the same kind of store as the Nimbus node; on this machine ejabberd's SQLite driver
 *   fell far behind at 500 msgs/s (one synchronous insert per archived copy), so Mnesia, which its
 *   docs recommend for a single node, is the fair default.
 * - No TLS and no compression (Nimbus is measured without them too); `shaper: none` on the
 *   listener (ejabberd's default shapers would cap the rate, not the server); `backlog: 1024`
 *   (the default is 5, which throttles connects, not logins); plain password storage so SASL PLAIN
 *   costs one lookup (SCRAM hashing would be charged to logins).
 * - In-band registration open to loopback only, with `registration_timeout: infinity` (the default
 *   lets one IP register once per 10 minutes).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const EJABBERD_DOMAIN = "localhost";

export interface RunningEjabberd {
  /** `xmpp://127.0.0.1:<port>/<domain>`, as the load generators take it. */
  url: string;
  /** The Erlang VM's pid (beam.smp): CPU and RSS are read from it. */
  pid: number;
  version: string;
  stop(): Promise<void>;
}

function has(command: string): boolean {
  try {
    execFileSync("bash", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Installs ejabberd (and its SQLite driver) from Debian when missing; throws when it cannot. */
export function ensureEjabberd(): void {
  const sqliteDriver = () => {
    try {
      execFileSync("dpkg", ["-s", "erlang-p1-sqlite3"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (has("ejabberdctl") && sqliteDriver()) return;
  console.error("installing ejabberd and erlang-p1-sqlite3 (Debian packages)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "ejabberd", "erlang-p1-sqlite3"], { stdio: "inherit", env });
  // The package enables a system service on every interface; the benchmark starts its own.
  try {
    execFileSync("bash", ["-c", "systemctl disable --now ejabberd"], { stdio: "ignore" });
  } catch {
    // no systemd here: the package's start was refused by policy-rc.d, nothing runs
  }
  if (!has("ejabberdctl") || !sqliteDriver()) throw new Error("ejabberd could not be installed");
}

/** BENCH_EJABBERD_DB: ejabberd's storage, `mnesia` (its built-in database, the default) or `sqlite`. */
export type EjabberdDb = "mnesia" | "sqlite";
export const ejabberdDb: EjabberdDb = process.env.BENCH_EJABBERD_DB === "sqlite" ? "sqlite" : "mnesia";

function storage(dir: string, db: EjabberdDb): string {
  if (db === "mnesia") return "default_db: mnesia\nauth_method: internal\n";
  return `sql_type: sqlite\nsql_database: ${join(dir, "db", "ejabberd.db")}\ndefault_db: sql\nauth_method: sql\n`;
}

function config(dir: string, port: number): string {
  return `hosts: [${EJABBERD_DOMAIN}]
loglevel: warning
hide_sensitive_log_data: true
registration_timeout: infinity
${storage(dir, ejabberdDb)}auth_password_format: plain
listen:
  - port: ${port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 262144
    shaper: none
    access: c2s
    starttls_required: false
    backlog: 1024
acl:
  loopback:
    ip: ["127.0.0.0/8"]
access_rules:
  c2s: {allow: all}
  register: {allow: all}
  trusted_network: {allow: loopback}
shaper_rules: {}
modules:
  mod_mam: {default: always, assume_mam_usage: true}
  mod_offline: {}
  mod_register: {ip_access: trusted_network, access: register}
  mod_roster: {}
  mod_stream_mgmt: {}
  mod_disco: {}
`;
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.once("error", reject);
  });
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Starts a fresh ejabberd (new database) and resolves once its c2s port takes connections. */
export async function startEjabberd(): Promise<RunningEjabberd> {
  ensureEjabberd();
  const dir = mkdtempSync(join(tmpdir(), "nimbus-bench-ejabberd-"));
  for (const sub of ["db", "log"]) mkdirSync(join(dir, sub));
  const port = await freePort();
  writeFileSync(join(dir, "ejabberd.yml"), config(dir, port));
  writeFileSync(join(dir, "inetrc"), "");
  // ejabberdctl run as root switches to the ejabberd user, which must own what it writes.
  const uid = Number(execFileSync("id", ["-u", "ejabberd"], { encoding: "utf8" }).trim());
  for (const p of [dir, join(dir, "db"), join(dir, "log"), join(dir, "ejabberd.yml"), join(dir, "inetrc")]) chownSync(p, uid, -1);
  const node = `nimbusbench${port}@localhost`;
  const child: ChildProcess = spawn(
    "ejabberdctl",
    [
      "--config-dir",
      dir,
      "--config",
      join(dir, "ejabberd.yml"),
      "--spool",
      join(dir, "db"),
      "--logs",
      join(dir, "log"),
      "--node",
      node,
      "foreground",
    ],
    { stdio: ["ignore", "ignore", "inherit"], detached: true, env: { ...process.env, ERL_EPMD_ADDRESS: "127.0.0.1" } },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 60_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null) throw new Error(`ejabberd exited with ${child.exitCode}; see ${join(dir, "log")}`);
    if (Date.now() > deadline) throw new Error(`ejabberd did not listen on ${port} within 60 s; see ${join(dir, "log")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = Number(
    execFileSync("pgrep", ["-f", `beam.smp.*${node}`], { encoding: "utf8" })
      .trim()
      .split("\n")[0],
  );
  const version = execFileSync("dpkg-query", ["-W", "-f", "${Version}", "ejabberd"], { encoding: "utf8" }).trim();
  return {
    url: `xmpp://127.0.0.1:${port}/${EJABBERD_DOMAIN}`,
    pid,
    version,
    async stop() {
      // The VM directly too: `su` may have put it in a process group of its own.
      for (const target of [-child.pid!, pid]) {
        try {
          process.kill(target, "SIGTERM");
        } catch {
          // already gone
        }
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
          process.kill(pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
