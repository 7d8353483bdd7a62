/**
 * What a heap grew by, grouped: `node --import tsx bench/heap-diff.ts before.heapsnapshot after.heapsnapshot [top]`.
 * Objects only in the second snapshot (ids are stable within one process) less those only in the
 * first (freed or replaced), self sizes summed by type and constructor, largest net growth first.
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const [beforeFile, afterFile, topArg] = process.argv.slice(2);
if (!beforeFile || !afterFile) throw new Error("usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [top]");
const load = (f: string) => JSON.parse(readFileSync(f, "utf8")) as Snapshot;

type Groups = Map<string, { count: number; bytes: number }>;

/** Self sizes of the objects whose ids `skip` lacks, by group; and every id seen. */
function tally(s: Snapshot, skip: Set<number>, sign: number, groups: Groups): Set<number> {
  const f = s.snapshot.meta.node_fields;
  const width = f.length;
  const [typeAt, nameAt, idAt, sizeAt] = ["type", "name", "id", "self_size"].map((k) => f.indexOf(k)) as [number, number, number, number];
  const types = s.snapshot.meta.node_types[0];
  const seen = new Set<number>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const id = s.nodes[i + idAt]!;
    seen.add(id);
    if (skip.has(id)) continue;
    const type = types[s.nodes[i + typeAt]!]!;
    const name = type === "object" || type === "closure" || type === "native" ? s.strings[s.nodes[i + nameAt]!]! : "";
    const key = `${type} ${name.slice(0, 60)}`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count += sign;
    g.bytes += sign * s.nodes[i + sizeAt]!;
    groups.set(key, g);
  }
  return seen;
}

const groups: Groups = new Map();
const afterIds = tally(load(afterFile), new Set(), 0, new Map());
const beforeIds = tally(load(beforeFile), afterIds, -1, groups);
tally(load(afterFile), beforeIds, 1, groups);
const total = [...groups.values()].reduce((a, g) => a + g.bytes, 0);
console.log(`net growth of the objects new or freed: ${(total / 1048576).toFixed(2)} MB (count and KB per group: new less freed)`);
for (const [k, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(topArg ?? 30))) {
  console.log(`${(g.bytes / 1024).toFixed(0).padStart(8)} KB ${String(g.count).padStart(8)}  ${k}`);
}
