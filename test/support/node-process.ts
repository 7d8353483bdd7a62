import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./processes.ts";

export interface NodeProcess {
  nodeId: string;
  url: string;
  child: ChildProcess;
  /** Everything it wrote, for a failing test's message. */
  output(): string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** A node that could not listen: a port picked free was taken by another socket before the node bound it. */
class PortTakenError extends Error {
  override readonly name = "PortTakenError";
}

/** Starts that refused with EADDRINUSE, tried again on fresh ports. */
const START_ATTEMPTS = 3;

/**
 * Starts a node as its own OS process (through tsx, as `npm start` does) and waits for /healthz.
 * Ports are picked free here and bound by the child later, and on a busy machine (a load generator's
 * thousands of sockets) another socket can take one in between: such a start is tried again with
 * fresh ports, `env` made again when it is a function (for ports of its own).
 */
export async function spawnNode(
  entry: string,
  nodeId: string,
  env: Record<string, string> | (() => Promise<Record<string, string>>),
): Promise<NodeProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(entry, nodeId, typeof env === "function" ? await env() : env);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= START_ATTEMPTS) throw err;
    }
  }
}

async function spawnOnce(entry: string, nodeId: string, env: Record<string, string>): Promise<NodeProcess> {
  const port = await freePort();
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { ...process.env, NIMBUS_NODE_ID: nodeId, NIMBUS_PORT: String(port), NIMBUS_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const message = `node ${nodeId} exited with ${child.exitCode}:\n${out}`;
      throw out.includes("EADDRINUSE") ? new PortTakenError(message) : new Error(message);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`node ${nodeId} did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { nodeId, url, child, output: () => out, exited, kill: (signal) => child.kill(signal) };
}

export interface Health {
  nodeId: string;
  store: string;
  bus: string;
  members: string[];
  actors: { activations: number; active: number; fenced: number; remoteIn: number; remoteOut: number };
}

export async function health(node: NodeProcess): Promise<Health> {
  const res = await fetch(`${node.url}/healthz`);
  return (await res.json()) as Health;
}
