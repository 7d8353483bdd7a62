import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { freePort, tempDir } from "../support/processes.ts";

/** `npm start` as an operator (or a container runtime) starts it: output piped, its own data dir. */
async function npmStart(): Promise<{
  npm: ReturnType<typeof spawn>;
  nodePid: number;
  url: string;
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}> {
  const port = await freePort();
  let out = "";
  let stdout = "";
  let stderr = "";
  const npm = spawn("npm", ["start", "--silent"], {
    env: { ...process.env, NIMBUS_PORT: String(port), NIMBUS_DATA_DIR: tempDir("npm-start"), NIMBUS_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  npm.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  npm.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}:\n${out}`);
    const res = await fetch(`${url}/healthz`).catch(() => undefined);
    if (res?.ok) break;
    if (Date.now() > deadline) {
      npm.kill("SIGKILL");
      throw new Error(`npm start did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const started = /"pid":(\d+)[^\n]*"msg":"node started"/.exec(out);
  if (!started) throw new Error(`no "node started" line:\n${out}`);
  return { npm, nodePid: Number(started[1]), url, output: () => out, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The parent of a process, from /proc (Linux, where CI runs). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(url: string): Promise<boolean> {
  return (await fetch(`${url}/healthz`).then(
    () => false,
    () => true,
  )) as boolean;
}

// A process manager signals the process it started; the node must drain and exit, never be left running.
describe("npm start and signals", () => {
  it("SIGTERM to the npm process drains the node and exits 0, leaving no process behind", async () => {
    const s = await npmStart();
    s.npm.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.output()).toMatch(/"signal":"SIGTERM"[^\n]*"msg":"draining"/);
    expect(alive(s.nodePid)).toBe(false);
    expect(await gone(s.url)).toBe(true);
    // Piped, stdout is the log: JSON lines only. The development app's banner is on stderr.
    for (const line of s.stdout().split("\n").filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
    expect(s.stderr()).toMatch(/AppSecret: [0-9a-f]+/);
  });

  it("SIGTERM and SIGINT to the node process npm started drain it and exit 0", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const s = await npmStart();
      // `npm start` execs the node in place of its shell: the process npm started is the node.
      expect(parentOf(s.nodePid)).toBe(s.npm.pid);
      process.kill(s.nodePid, signal);
      expect(await s.exited, signal).toBe(0);
      expect(s.output()).toMatch(new RegExp(`"signal":"${signal}"[^\\n]*"msg":"draining"`));
      expect(alive(s.nodePid)).toBe(false);
      expect(await gone(s.url)).toBe(true);
    }
  });
});
