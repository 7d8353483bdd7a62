import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** A real nats-server on a random loopback port, JetStream on, state in a temp dir. */
export async function startNatsServer(binary: string): Promise<RunningService> {
  const port = await freePort();
  const dir = tempDir("nats");
  const child = spawn(binary, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { stdio: "ignore" });
  await waitForPort(port, 10_000, child);
  return { url: `nats://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/** A real FerretDB (MongoDB wire protocol over SQLite) on a random loopback port. */
export async function startFerretDb(binary: string): Promise<RunningService> {
  const port = await freePort();
  const dir = tempDir("ferretdb");
  const child = spawn(
    binary,
    [
      "--handler=sqlite",
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      "--telemetry=disable",
      "--log-level=error",
      "--debug-addr=-",
      `--state-dir=${dir}`,
    ],
    { stdio: "ignore" },
  );
  await waitForPort(port, 20_000, child);
  return { url: `mongodb://127.0.0.1:${port}/`, stop: () => stopChild(child) };
}
