import type { ApiNode, NimResponse } from "./nim-api.ts";

/** Helpers for the team suites: a team made over REST, team messages sent and read back over REST. */

export async function ok(api: ApiNode, path: string, params: Record<string, string>): Promise<NimResponse> {
  const res = await api.call(path, params);
  if (res.code !== 200) throw new Error(`${path} ${JSON.stringify(params)} answered ${JSON.stringify(res)}`);
  return res;
}

/** Creates a team (magree 0: members join at once) and answers its tid. */
export async function createTeam(api: ApiNode, owner: string, members: string[], extra: Record<string, string> = {}): Promise<string> {
  const res = await ok(api, "team/create", {
    tname: "t",
    owner,
    members: JSON.stringify(members),
    msg: "join us",
    magree: "0",
    joinmode: "0",
    ...extra,
  });
  return res.tid as string;
}

export function sendTeamText(
  api: ApiNode,
  tid: string,
  from: string,
  msg: string,
  extra: Record<string, string> = {},
): Promise<NimResponse> {
  return api.call("msg/sendMsg", { from, ope: "1", to: tid, type: "0", body: JSON.stringify({ msg }), ...extra });
}

export interface TeamHistoryMessage {
  from: string;
  msgid: number;
  seq: number;
  type: number;
  body: string;
  sendtime: number;
}

/** The team's newest messages (up to 100), oldest first, as `accid` sees them. */
export async function teamHistory(api: ApiNode, tid: string, accid: string): Promise<TeamHistoryMessage[]> {
  const res = await ok(api, "history/queryTeamMsg", {
    tid,
    accid,
    begintime: "0",
    endtime: String(Date.now() + 60_000),
    limit: "100",
    reverse: "1",
  });
  return res.msgs as TeamHistoryMessage[];
}

/** The op ids of the team's notifications, oldest first. */
export async function notificationOps(api: ApiNode, tid: string, accid: string): Promise<number[]> {
  const msgs = await teamHistory(api, tid, accid);
  return msgs.filter((m) => m.type === 5).map((m) => (JSON.parse(m.body) as { id: number }).id);
}
