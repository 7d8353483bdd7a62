import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A port that was free a moment ago on loopback. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") return reject(new Error("no port"));
      srv.close(() => resolve(addr.port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nimbus-${prefix}-`));
}

/** Where a binary is, or undefined: PATH first, then Go's bin folder (where `go install` puts ferretdb). */
export function findBinary(name: string): string | undefined {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    try {
      const gopath = execFileSync("go", ["env", "GOPATH"], { encoding: "utf8" }).trim();
      const candidate = join(gopath, "bin", name);
      execFileSync("test", ["-x", candidate]);
      return candidate;
    } catch {
      return undefined;
    }
  }
}

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunningService {
  url: string;
  /** The service's process ids (for CPU accounting); its backend's too. */
  pids?(): number[];
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * A real nats-server on a random loopback port, JetStream on, state in a temp dir; with
 * `monitor`, its HTTP monitoring (/varz: message counts) on another loopback port too.
 */
export async function startNatsServer(binary: string, o: { monitor?: boolean } = {}): Promise<RunningService & { monitorUrl?: string }> {
  const port = await freePort();
  const monitorPort = o.monitor ? await freePort() : 0;
  const dir = tempDir("nats");
  const monitorArgs = o.monitor ? ["-m", String(monitorPort)] : [];
  const child = spawn(binary, ["-a", "127.0.0.1", "-p", String(port), ...monitorArgs, "-js", "-sd", dir], { stdio: "ignore" });
  await waitForPort(port, 10_000, child);
  if (o.monitor) await waitForPort(monitorPort, 10_000, child);
  return {
    url: `nats://127.0.0.1:${port}`,
    ...(o.monitor ? { monitorUrl: `http://127.0.0.1:${monitorPort}` } : {}),
    pids: () => (child.pid ? [child.pid] : []),
    stop: () => stopChild(child),
  };
}

/** FerretDB's storage backend: its SQLite handler (serializes writes) or PostgreSQL. */
export type FerretHandler = "sqlite" | "postgresql";

export function ferretHandlerFrom(value: string | undefined): FerretHandler {
  if (value === undefined || value === "" || value === "sqlite") return "sqlite";
  if (value === "postgresql" || value === "postgres" || value === "pg") return "postgresql";
  throw new Error(`unknown FerretDB handler "${value}" (sqlite or postgresql)`);
}

/**
 * A real FerretDB on a random loopback port, over SQLite (a file per database in a temp dir) or
 * over a PostgreSQL cluster of its own (started here, stopped with it).
 */
export async function startFerretDb(binary: string, handler: FerretHandler = "sqlite"): Promise<RunningService> {
  const port = await freePort();
  const dir = tempDir("ferretdb");
  const pg = handler === "postgresql" ? await startPostgres() : undefined;
  const backend = pg ? ["--handler=postgresql", `--postgresql-url=${pg.url}`] : ["--handler=sqlite", `--sqlite-url=file:${dir}/`];
  const child = spawn(
    binary,
    [...backend, `--listen-addr=127.0.0.1:${port}`, "--telemetry=disable", "--log-level=error", "--debug-addr=-", `--state-dir=${dir}`],
    { stdio: "ignore" },
  );
  try {
    await waitForPort(port, 20_000, child);
  } catch (err) {
    await stopChild(child);
    await pg?.stop();
    throw err;
  }
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    pids: () => [child.pid ?? 0, ...(pg?.pids?.() ?? [])].filter((p) => p > 0),
    stop: async () => {
      await stopChild(child);
      await pg?.stop();
    },
  };
}

/** PostgreSQL's server binaries (Debian: /usr/lib/postgresql/<major>/bin), newest major first. */
export function findPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return findBinary("initdb") ? dirname(findBinary("initdb")!) : undefined;
  const majors = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0]!, "bin") : undefined;
}

/**
 * PostgreSQL refuses to run as root. Under root, initdb and postgres run as the unprivileged
 * `postgres` account (Debian's package makes it), or `nobody` when there is none; the data dir is
 * handed to that account first.
 */
function unprivilegedUser(): string | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  for (const user of ["postgres", "nobody"]) {
    try {
      execFileSync("id", ["-u", user], { stdio: "ignore" });
      return user;
    } catch {
      // try the next one
    }
  }
  throw new Error("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as");
}

function asUser(user: string | undefined, bin: string, args: string[]): [string, string[]] {
  return user ? ["runuser", ["-u", user, "--", bin, ...args]] : [bin, args];
}

/**
 * A throwaway PostgreSQL cluster on a random loopback port: temp data dir, trust auth on
 * loopback only, socket in the data dir (never the system's /var/run/postgresql). No fsync: a
 * test or bench run never survives a machine crash anyway, and it keeps CI disk-bound work short.
 */
export async function startPostgres(): Promise<RunningService> {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL server binaries not found (apt-get install -y postgresql)");
  const user = unprivilegedUser();
  // Under root, in /tmp itself: the unprivileged user must be able to reach the data dir, which a
  // TMPDIR under /root would not let it.
  const dir = user ? mkdtempSync("/tmp/nimbus-pg-") : tempDir("pg");
  const data = join(dir, "data");
  if (user) execFileSync("chown", ["-R", user, dir]);
  const [initCmd, initArgs] = asUser(user, join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  execFileSync(initCmd, initArgs, { stdio: "ignore" });
  const port = await freePort();
  const [cmd, args] = asUser(user, join(bin, "postgres"), [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
  ]);
  // Its own process group: runuser forwards SIGTERM, but a group kill also reaps the postmaster
  // if runuser is gone.
  const child = spawn(cmd, args, { stdio: "ignore", detached: true });
  try {
    await waitForPort(port, 20_000, child);
    // Accepting TCP is not accepting queries: wait until the startup is over.
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        execFileSync(join(bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
        break;
      } catch {
        if (Date.now() > deadline) throw new Error("PostgreSQL did not become ready");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stopGroup(child);
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pids: () => processTree(child.pid),
    stop: () => stopGroup(child),
  };
}

/** `root` and every process under it (runuser → postmaster → backends, FerretDB's connections). */
export function processTree(root: number | undefined): number[] {
  if (!root) return [];
  try {
    const out = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
    const children = new Map<number, number[]>();
    for (const line of out.split("\n")) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (!pid || ppid === undefined) continue;
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    }
    const found: number[] = [];
    const todo = [root];
    while (todo.length) {
      const p = todo.pop()!;
      found.push(p);
      todo.push(...(children.get(p) ?? []));
    }
    return found;
  } catch {
    return [root];
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  // SIGINT is PostgreSQL's "fast shutdown": it ends sessions and exits without waiting on clients.
  kill("SIGINT");
  const timer = setTimeout(() => kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
