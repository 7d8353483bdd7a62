/**
 * `npm run bench -- <scenario> [--quick]`. Each scenario measures itself beside a baseline in the
 * same run, so its figures are ratios that survive a noisy machine.
 */
import { report, type BenchResult } from "./lib/report.ts";
import { runActors } from "./scenarios/actors.ts";
import { runBaseline } from "./scenarios/baseline.ts";
import { runConnect } from "./scenarios/connect.ts";
import { runP2p } from "./scenarios/p2p.ts";
import { runP2pOffline } from "./scenarios/p2p-offline.ts";
import { runP2pCluster } from "./scenarios/p2p-cluster.ts";
import { runP2pDataSync } from "./scenarios/p2p-datasync.ts";
import { runPeersP2p } from "./scenarios/peers-p2p.ts";
import { runTeam } from "./scenarios/team.ts";
import { runSuperTeam } from "./scenarios/superteam.ts";
import { runChatroom } from "./scenarios/chatroom.ts";
import { runPeersChatroom } from "./scenarios/peers-chatroom.ts";
import { runPresence } from "./scenarios/presence.ts";

const scenarios: Record<string, (quick: boolean) => Promise<BenchResult>> = {
  actors: runActors,
  p2p: runP2p,
  connect: runConnect,
  "p2p-offline": runP2pOffline,
  "p2p-cluster": runP2pCluster,
  "p2p-datasync": runP2pDataSync,
  baseline: runBaseline,
  "peers-p2p": runPeersP2p,
  team: runTeam,
  superteam: runSuperTeam,
  chatroom: runChatroom,
  "peers-chatroom": runPeersChatroom,
  presence: runPresence,
};

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const names = args.filter((a) => !a.startsWith("--"));
if (names.length === 0 || names.some((n) => !scenarios[n])) {
  console.error(`usage: npm run bench -- <${Object.keys(scenarios).join("|")}> [--quick]`);
  process.exit(2);
}
for (const name of names) report(await scenarios[name]!(quick), quick);
process.exit(0);
