import { WebSocket } from "ws";
import type { TeamFleet, TeamTracker } from "./team-ladder.ts";

/**
 * The team fan-out on the bare relay (bench/baseline-relay.ts): one raw `ws` client per member,
 * joined to its team's group; a send is one `{"all":1,"g":team}` frame the relay encodes once and
 * writes to every other member of the group, acked to the sender.
 */
export async function relayTeamFleet(
  url: string,
  pid: number,
  teams: number,
  members: number,
  tracker: TeamTracker,
): Promise<TeamFleet & { close(): void }> {
  const sockets: WebSocket[] = [];
  const pending: Map<number, () => void>[] = [];
  let nextReq = 0;
  const open = (team: number, member: number) =>
    new Promise<WebSocket>((resolve, reject) => {
      const id = team * members + member;
      const ws = new WebSocket(`${url}/?id=${id}&g=${team}`);
      const mine = new Map<number, () => void>();
      pending[id] = mine;
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as { a?: number; t?: string };
        if (frame.a !== undefined) {
          mine.get(frame.a)?.();
          mine.delete(frame.a);
        } else tracker.delivered(String(id), String(team), undefined, frame.t ?? "");
      });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
  for (let t = 0; t < teams; t++) {
    for (let m = 0; m < members; m += 32) {
      const batch = Array.from({ length: Math.min(32, members - m) }, (_, k) => open(t, m + k));
      sockets.push(...(await Promise.all(batch)));
    }
  }
  return {
    teams,
    members,
    serverPid: pid,
    send(team, member, text) {
      const id = team * members + member;
      const r = nextReq++;
      return new Promise<void>((resolve) => {
        pending[id]!.set(r, resolve);
        sockets[id]!.send(JSON.stringify({ all: 1, g: team, r, t: text }));
      });
    },
    close() {
      for (const ws of sockets) ws.close();
    },
  };
}
