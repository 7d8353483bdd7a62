/** A bare-relay fan-out ladder for a one-sender group (the super team bench's baseline): raw ws clients in the harness. */
import { WebSocket } from "ws";
import { startRelay } from "../scenarios/p2p.ts";

export interface RelayStep {
  rate: number;
  deliveries: number;
  elapsed: number;
  latencies: number[];
}

/** The same steps against the bare relay: `members` raw ws clients, one sender fanning out to all. */
export async function relaySteps(members: number, rates: number[], stepSeconds: number): Promise<RelayStep[]> {
  const relay = await startRelay();
  const sockets: WebSocket[] = [];
  try {
    const open = (id: number) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${relay.url}/?id=${id}`);
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    const sender = await open(0);
    sockets.push(sender);
    let received = 0;
    const latencies: number[] = [];
    for (let i = 1; i <= members; i++) {
      const ws = await open(i);
      ws.on("message", (data) => {
        received++;
        latencies.push(Date.now() - Number((JSON.parse(data.toString()) as { t: string }).t));
      });
      sockets.push(ws);
    }
    const steps: RelayStep[] = [];
    for (const rate of rates) {
      received = 0;
      latencies.length = 0;
      const total = rate * stepSeconds;
      const started = performance.now();
      for (let k = 0; k < total; k++) {
        const wait = started + (k * 1000) / rate - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sender.send(JSON.stringify({ all: 1, r: k, t: String(Date.now()) }));
      }
      await new Promise((r) => setTimeout(r, 1500));
      steps.push({
        rate,
        deliveries: received,
        elapsed: (performance.now() - started) / 1000,
        latencies: [...latencies].sort((a, b) => a - b),
      });
    }
    return steps;
  } finally {
    for (const ws of sockets) ws.close();
    relay.stop();
  }
}
