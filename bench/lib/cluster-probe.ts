import { readCpuMs } from "./node-under-test.ts";

/** A named group of processes whose CPU is summed: a node, nats-server, FerretDB, PostgreSQL, … */
export interface ProcessGroup {
  name: string;
  /** Asked at each step's start and end: a pool of backends comes and goes. */
  pids(): number[];
}

/** What a step's probe adds to its row: cores per process group, and counts per delivered message. */
export type ProbeFigures = Record<string, number>;

/** Measures around one ladder step; `end` answers the figures for the step just run. */
export interface StepProbe {
  begin(): Promise<void>;
  end(elapsedMs: number, messages: number): Promise<ProbeFigures>;
}

function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, readCpuMs(pid));
    } catch {
      // gone (a PostgreSQL backend that ended): its time is lost with it, a small undercount
    }
  }
  return out;
}

/** Sums of the Prometheus counters whose name (and labels) start with `prefix`, by full series. */
function counters(text: string, names: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const name = names.find((n) => line.startsWith(n));
    if (!name) continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * The cluster's breakdown per step: each process group's CPU in cores, and per delivered message
 * the store commands (round trips, by command) and bus messages each node sent (by kind), plus
 * what nats-server saw (its /varz in_msgs: every publish, request and reply of every client).
 */
export function clusterProbe(o: {
  groups: ProcessGroup[];
  /** Each node's /metrics URL, by a short name (a, b). */
  metricsUrls: Record<string, string>;
  natsMonitorUrl?: string;
}): StepProbe {
  const names = ["nimbus_store_commands_total", "nimbus_bus_messages_total"];
  let cpu0: Map<number, number>[] = [];
  let metrics0 = new Map<string, number>();
  let nats0 = 0;
  const scrape = async (): Promise<Map<string, number>> => {
    const all = new Map<string, number>();
    for (const [node, url] of Object.entries(o.metricsUrls)) {
      const text = await (await fetch(url)).text();
      for (const [series, v] of counters(text, names)) all.set(`${node} ${series}`, v);
    }
    return all;
  };
  const natsIn = async (): Promise<number> => {
    if (!o.natsMonitorUrl) return 0;
    const varz = (await (await fetch(`${o.natsMonitorUrl}/varz`)).json()) as { in_msgs: number };
    return varz.in_msgs;
  };
  return {
    async begin() {
      cpu0 = o.groups.map((g) => cpuOf(g.pids()));
      metrics0 = await scrape();
      nats0 = await natsIn();
    },
    async end(elapsedMs, messages) {
      const figures: ProbeFigures = {};
      o.groups.forEach((g, i) => {
        const now = cpuOf(g.pids());
        let ms = 0;
        // Only processes alive at both ends count; a new one counts from zero.
        for (const [pid, v] of now) ms += v - (cpu0[i]!.get(pid) ?? 0);
        figures[`cpu ${g.name}`] = round(ms / elapsedMs);
      });
      const per = Math.max(1, messages);
      const metrics1 = await scrape();
      const totals = new Map<string, number>();
      for (const [key, v] of metrics1) {
        const d = v - (metrics0.get(key) ?? 0);
        if (d <= 0) continue;
        // "a nimbus_store_commands_total{command="insert"}" → "store insert / msg"
        const m = /^(\S+) nimbus_(store|bus)_\w+\{\w+="([^"]+)"/.exec(key);
        if (!m) continue;
        const label = `${m[2]} ${m[3]} / msg`;
        totals.set(label, (totals.get(label) ?? 0) + d);
        totals.set(`${m[2]} total / msg`, (totals.get(`${m[2]} total / msg`) ?? 0) + d);
      }
      for (const [label, d] of [...totals].sort()) figures[label] = round(d / per);
      if (o.natsMonitorUrl) figures["nats in_msgs / msg"] = round(((await natsIn()) - nats0) / per);
      return figures;
    },
  };
}
