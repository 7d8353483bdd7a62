import { it, expect, beforeAll, afterAll } from "vitest";
import { signedCall } from "../support/nim-api.ts";
import type { ConversationSummary, SyncResult } from "../../src/protocol/messages.ts";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";
import { waitUntil } from "../support/actor-system.ts";

const ENTRY = "test/fixtures/messaging-node.ts";
const APP_KEY = "msgclusterapp";
const APP_SECRET = "msg-cluster-secret";

interface Answer {
  code: number;
  desc?: string;
  [k: string]: unknown;
}

function call(node: NodeProcess, path: string, params: Record<string, string>): Promise<Answer> {
  return signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params) as Promise<Answer>;
}

async function sync(node: NodeProcess, accid: string, req: object): Promise<SyncResult> {
  const res = await fetch(`${node.url}/test/sync/${accid}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(req),
  });
  const body = (await res.json()) as Answer & { result: SyncResult };
  expect(body.code, JSON.stringify(body)).toBe(200);
  return body.result;
}

async function conversations(node: NodeProcess, accid: string): Promise<ConversationSummary[]> {
  const body = (await (await fetch(`${node.url}/test/conversations/${accid}`)).json()) as Answer & { conversations: ConversationSummary[] };
  expect(body.code).toBe(200);
  return body.conversations;
}

interface HistoryMsg {
  from: string;
  msgid: number;
  msgidclient: string;
  seq: number;
  body: string;
}

/**
 * Every message of a conversation over REST on `node`, oldest first, walked as NIM documents: the
 * next page starts at the last message's time with `excludeMsgid` set to it, so a burst of more
 * than a page in one millisecond is neither repeated nor stalls the walk.
 */
async function history(node: NodeProcess, from: string, to: string): Promise<HistoryMsg[]> {
  const out: HistoryMsg[] = [];
  let after: { sendtime: number; msgid: number } | undefined;
  for (;;) {
    const res = await call(node, "history/querySessionMsg", {
      from,
      to,
      begintime: String(after?.sendtime ?? 0),
      endtime: String(Date.now() + 1000),
      limit: "100",
      reverse: "1",
      ...(after && { excludeMsgid: String(after.msgid) }),
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const page = res.msgs as (HistoryMsg & { sendtime: number })[];
    out.push(...page);
    if (page.length < 100) return out;
    after = page[page.length - 1]!;
  }
}

describeWith(["nats", "mongo"], "messaging cluster: two node processes, real NATS and FerretDB", () => {
  const nodes: NodeProcess[] = [];

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds: ["m1", "m2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        config: { apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, limits: { requestsPerSecond: 100_000 } }] },
      })),
    );
    for (const accid of ["ka", "kb", "kc", "kd"]) expect((await call(nodes[0]!, "user/create", { accid })).code).toBe(200);
  });

  afterAll(async () => {
    await killCluster(nodes);
  });

  it("sends on node 1, reads on node 2: the same messages, gap-free, once each", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const sends: Promise<Answer>[] = [];
    for (let i = 0; i < 60; i++) {
      for (const [from, to] of [
        ["ka", "kb"],
        ["kb", "ka"],
      ] as const) {
        sends.push(
          call(n1, "msg/sendMsg", {
            from,
            ope: "0",
            to,
            type: "0",
            body: JSON.stringify({ msg: `${from}${i}` }),
            msgidClient: `${from}-${i}`,
          }),
        );
      }
    }
    const answers = await Promise.all(sends);
    expect(answers.filter((a) => a.code !== 200)).toEqual([]);
    const msgids = answers.map((a) => (a.data as { msgid: number }).msgid);
    expect(new Set(msgids).size).toBe(120);

    const onNode2 = await history(n2, "kb", "ka");
    expect(onNode2.map((m) => m.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(new Set(onNode2.map((m) => m.msgid))).toEqual(new Set(msgids));
    expect(await history(n1, "ka", "kb")).toEqual(onNode2);

    const s = await sync(n2, "kb", { cursors: { "ka|kb": 0 } });
    expect(s.messages["ka|kb"]?.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 21));
    const roaming = await sync(n2, "kb", {});
    expect(roaming.messages["ka|kb"]?.map((m) => m.msgid)).toEqual(onNode2.slice(20).map((m) => m.msgid));
    await waitUntil(async () => (await conversations(n2, "kb"))[0]?.lastSeq === 120, 5000, "kb's conversation list to show seq 120");
    expect((await conversations(n2, "kb"))[0]).toMatchObject({ peer: "ka", lastSeq: 120, unread: 60 });
  });

  it("sends through both nodes at once into one conversation: still gap-free and once each", async () => {
    const sends: Promise<Answer>[] = [];
    for (let i = 0; i < 80; i++) {
      const node = nodes[i % 2]!;
      const [from, to] = i % 4 < 2 ? ["kc", "kd"] : ["kd", "kc"];
      sends.push(
        call(node, "msg/sendMsg", { from, ope: "0", to, type: "0", body: JSON.stringify({ msg: `m${i}` }), msgidClient: `both-${i}` }),
      );
    }
    // A resend of one of them, through the other node, is the same message.
    const answers = await Promise.all(sends);
    expect(answers.filter((a) => a.code !== 200)).toEqual([]);
    const resend = await call(nodes[1]!, "msg/sendMsg", {
      from: "kc",
      ope: "0",
      to: "kd",
      type: "0",
      body: '{"msg":"m0"}',
      msgidClient: "both-0",
    });
    expect(resend).toEqual(answers[0]);
    for (const node of nodes) {
      const msgs = await history(node, "kc", "kd");
      expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(new Set(msgs.map((m) => m.msgidclient)).size).toBe(80);
    }
  });

  it("markRead on node 2 is what node 1 lists", async () => {
    // The newest message, whoever sent it: the first test's sends ran concurrently, so "ka-59" (the
    // last one issued) need not have the highest seq, and anything of ka's after it stays unread.
    const newest = (await history(nodes[1]!, "kb", "ka")).at(-1)!;
    const res = await call(nodes[1]!, "msg/markReadMsg", { from: "kb", to: "ka", msgidClient: newest.msgidclient });
    expect(res).toEqual({ code: 200, data: { timestamp: expect.any(Number) } });
    const list = await call(nodes[0]!, "history/querySessionList", { accid: "kb" });
    expect((list.data as { sessions: { accid: string; unreadCount: number }[] }).sessions).toMatchObject([{ accid: "ka", unreadCount: 0 }]);
  });
});
