/**
 * Where a super team's server memory goes: `node --import tsx bench/superteam-memory.ts [members] [snapDir]`.
 * One node; heap + external after a full GC before and after one super team of `members` is made
 * over REST and every member bucket is loaded (a full getTlists walk), the same steps as the
 * `superteam` bench's state figure; with a directory, a heap snapshot of each (bench/heap-diff.ts).
 */
import { join } from "node:path";
import { createAccounts, startNodeUnderTest } from "./lib/node-under-test.ts";

const members = Number(process.argv[2] ?? 10_000);
const snapDir = process.argv[3] || undefined;
const node = await startNodeUnderTest();
const call = async (path: string, params: Record<string, string>) => {
  const res = await node.call(path, params);
  if (res.code !== 200) throw new Error(`${path}: ${JSON.stringify(res)}`);
  return res;
};
try {
  const ids = (
    await createAccounts(
      node,
      Array.from({ length: members }, (_, i) => `su${i}`),
      32,
    )
  ).map((a) => a.accid);
  // Each account's user actor and super team index are active before the baseline: what grows after is the super team.
  for (let i = 0; i < ids.length; i += 64) {
    await Promise.all(ids.slice(i, i + 64).map((accid) => call("superteam/joinTeams", { accid })));
    await Promise.all(ids.slice(i, i + 64).map((accid) => call("user/getUinfos", { accids: JSON.stringify([accid]) })));
  }
  const before = await node.memoryAfterGc();
  if (snapDir) await node.heapSnapshot(join(snapDir, "st-before.heapsnapshot"));
  const tid = String(
    (
      await call("superteam/create", {
        owner: ids[0]!,
        inviteAccids: JSON.stringify(ids.slice(1, 200)),
        tname: "mem",
        msg: "m",
        joinmode: "0",
        tlevel: String(Math.max(2, members)),
      })
    ).tid,
  );
  for (let i = 200; i < ids.length; i += 200) {
    await call("superteam/invite", { tid, owner: ids[0]!, inviteAccids: JSON.stringify(ids.slice(i, i + 200)), msg: "m" });
  }
  await call("superteam/getTlists", { tid, limit: "2000" });
  const after = await node.memoryAfterGc();
  if (snapDir) await node.heapSnapshot(join(snapDir, "st-after.heapsnapshot"));
  const mb = (n: number) => Math.round((n / 1048576) * 100) / 100;
  console.log(
    JSON.stringify({
      members,
      heapMB: mb(after.heapUsed - before.heapUsed),
      externalMB: mb(after.external - before.external),
      stateMB: mb(after.heapUsed + after.external - before.heapUsed - before.external),
    }),
  );
} finally {
  await node.stop();
}
