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

/** Starts a node as its own OS process (through tsx, as `npm start` does) and waits for /healthz. */
export async function spawnNode(entry: string, nodeId: string, env: Record<string, string>): Promise<NodeProcess> {
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
    if (child.exitCode !== null) throw new Error(`node ${nodeId} exited with ${child.exitCode}:\n${out}`);
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
