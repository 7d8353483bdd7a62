import { it, expect, beforeAll, afterAll, vi } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers, fullHistory, restSendText } from "../support/messaging.ts";

interface HistoryMsg {
  msgid: number;
  sendtime: number;
  type: number;
  body: string;
  seq: number;
}

interface Session {
  sessionType: number;
  accid: string;
  updateTime: number;
  lastMsgType?: string;
  lastMsg?: string;
  unreadCount: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnEachStore("server API: history/querySessionMsg and history/querySessionList", (backend) => {
  let api: ApiNode;
  const times: number[] = [];
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "h1", "h2", "l1", "l2", "l3", "l4");
    // Ten messages h1 -> h2, a few ms apart; every third one custom (type 100).
    for (let i = 1; i <= 10; i++) {
      const res =
        i % 3 === 0
          ? await api.call("msg/sendMsg", { from: "h1", ope: "0", to: "h2", type: "100", body: JSON.stringify({ n: i }) })
          : await restSendText(api, "h1", "h2", `m${i}`);
      expect(res.code).toBe(200);
      times.push((res.data as { timetag: number }).timetag);
      await sleep(3);
    }
  });
  afterAll(async () => api.close());

  async function query(params: Record<string, string>): Promise<HistoryMsg[]> {
    const res = await api.call("history/querySessionMsg", {
      from: "h2",
      to: "h1",
      begintime: "0",
      endtime: String(Date.now()),
      limit: "100",
      ...params,
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    return res.msgs as HistoryMsg[];
  }

  it("answers newest first by default and oldest first with reverse=1, limited", async () => {
    expect((await query({ limit: "3" })).map((m) => m.seq)).toEqual([10, 9, 8]);
    expect((await query({ limit: "3", reverse: "2" })).map((m) => m.seq)).toEqual([10, 9, 8]);
    expect((await query({ limit: "3", reverse: "1" })).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("keeps to [begintime, endtime], inclusive, in either order", async () => {
    const window = { begintime: String(times[3]), endtime: String(times[6]) };
    expect((await query({ ...window, reverse: "1" })).map((m) => m.seq)).toEqual([4, 5, 6, 7]);
    expect((await query({ ...window, reverse: "2", limit: "2" })).map((m) => m.seq)).toEqual([7, 6]);
    expect(await query({ begintime: String(Date.now() + 1000), endtime: String(Date.now() + 2000) })).toEqual([]);
  });

  it("filters by type before the limit", async () => {
    const custom = await query({ type: "100", limit: "2" });
    expect(custom.map((m) => [m.seq, m.type])).toEqual([
      [9, 100],
      [6, 100],
    ]);
    expect(JSON.parse(custom[0]!.body)).toEqual({ n: 9 });
    expect((await query({ type: "0, 100", reverse: "1", limit: "4" })).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(await query({ type: "1" })).toEqual([]);
  });

  it("lists sessions with unread counts that markReadMsg brings down, and the last message on request", async () => {
    await restSendText(api, "l2", "l1", "from l2", { msgidClient: "l2-1" });
    await sleep(3);
    await restSendText(api, "l3", "l1", "from l3 a", { msgidClient: "l3-1" });
    await restSendText(api, "l3", "l1", "from l3 b", { msgidClient: "l3-2" });
    await restSendText(api, "l1", "l3", "mine", { msgidClient: "l1-1" });
    const list = async (params: Record<string, string> = {}) => {
      const res = await api.call("history/querySessionList", { accid: "l1", ...params });
      expect(res.code, JSON.stringify(res)).toBe(200);
      return res.data as { hasMore: boolean; sessions: Session[] };
    };
    // NIM's Java SDK reads the receipt's time as data.timestamp.
    const readAnswer = { code: 200, data: { timestamp: expect.any(Number) } };
    const first = await list({ needLastMsg: "1" });
    expect(first.hasMore).toBe(false);
    expect(first.sessions.map((s) => [s.sessionType, s.accid, s.unreadCount, s.lastMsgType])).toEqual([
      [0, "l3", 2, "TEXT"],
      [0, "l2", 1, "TEXT"],
    ]);
    expect(JSON.parse(first.sessions[0]!.lastMsg!)).toMatchObject({ from: "l1", msgidclient: "l1-1", body: '{"msg":"mine"}' });
    expect((await list()).sessions[0]!.lastMsg).toBeUndefined();

    expect(await api.call("msg/markReadMsg", { from: "l1", to: "l3", msgidClient: "l3-1" })).toEqual(readAnswer);
    expect((await list()).sessions.map((s) => s.unreadCount)).toEqual([1, 1]);
    expect(await api.call("msg/markReadMsg", { from: "l1", to: "l3", msgidClient: "l3-2" })).toEqual(readAnswer);
    // Reading backwards does not bring anything back.
    expect(await api.call("msg/markReadMsg", { from: "l1", to: "l3", msgidClient: "l3-1" })).toEqual(readAnswer);
    expect((await list()).sessions.map((s) => s.unreadCount)).toEqual([0, 1]);
    expect((await api.node.messaging.conversations(api.appKey, "l1")).map((c) => [c.peer, c.readSeq, c.unread])).toEqual([
      ["l3", 2, 0],
      ["l2", 0, 1],
    ]);
    // The reader's position reaches the sender's list as peerReadSeq.
    expect((await api.node.messaging.conversations(api.appKey, "l3"))[0]).toMatchObject({ peer: "l1", peerReadSeq: 2, unread: 1 });

    const limited = await list({ limit: "1" });
    expect(limited).toMatchObject({ hasMore: true, sessions: [{ accid: "l3" }] });
    const l2Time = first.sessions[1]!.updateTime;
    expect((await list({ maxTimestamp: String(l2Time) })).sessions.map((s) => s.accid)).toEqual(["l2"]);
    expect((await list({ minTimestamp: String(l2Time + 1) })).sessions.map((s) => s.accid)).toEqual(["l3"]);
    // A msgidClient that names no message marks the conversation read as of now (NIM's receipt is a
    // time; the Java SDK's own test sends such an id and expects 200).
    await restSendText(api, "l3", "l1", "from l3 c", { msgidClient: "l3-3" });
    expect((await list()).sessions.map((s) => [s.accid, s.unreadCount])).toEqual([
      ["l3", 1],
      ["l2", 1],
    ]);
    expect(await api.call("msg/markReadMsg", { from: "l1", to: "l3", msgidClient: "nope" })).toEqual(readAnswer);
    expect((await list()).sessions.map((s) => [s.accid, s.unreadCount])).toEqual([
      ["l3", 0],
      ["l2", 1],
    ]);
    expect(await api.call("history/querySessionList", { accid: "ghost" })).toMatchObject({ code: 404 });
    expect((await api.call("history/querySessionList", { accid: "l4" })).data).toEqual({ hasMore: false, sessions: [] });
  });

  it("pages through messages that share a millisecond, each exactly once, with begintime and excludeMsgid as NIM documents", async () => {
    await createUsers(api, "w1", "w2");
    // The node runs in this process: with its clock held still, every message of a burst gets one time.
    const t0 = Date.now();
    const burst = async (at: number, n: number, tag: string) => {
      vi.setSystemTime(at);
      for (let i = 0; i < n; i += 25) {
        const sends = Array.from({ length: Math.min(25, n - i) }, (_, k) =>
          restSendText(api, k % 2 ? "w2" : "w1", k % 2 ? "w1" : "w2", `${tag}${i + k}`),
        );
        for (const res of await Promise.all(sends)) expect(res.code, JSON.stringify(res)).toBe(200);
      }
    };
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await burst(t0, 3, "a");
      await burst(t0 + 5, 250, "b");
      await burst(t0 + 10, 3, "c");
    } finally {
      vi.useRealTimers();
    }
    const all = await fullHistory(api, "w1", "w2");
    expect(all).toHaveLength(256);
    expect(all.filter((m) => m.time === t0 + 5)).toHaveLength(250);

    const page = async (params: Record<string, string>): Promise<HistoryMsg[]> => {
      const res = await api.call("history/querySessionMsg", { from: "w1", to: "w2", ...params });
      expect(res.code, JSON.stringify(res)).toBe(200);
      return res.msgs as HistoryMsg[];
    };
    /** NIM's walk: the next page starts at the last message's time, excluding that message. */
    const walk = async (reverse: "1" | "2", limit: number): Promise<number[]> => {
      const seen: number[] = [];
      let begintime = t0;
      let endtime = t0 + 10;
      let excludeMsgid: number | undefined;
      for (let pages = 0; pages < 300; pages++) {
        const msgs = await page({
          begintime: String(begintime),
          endtime: String(endtime),
          limit: String(limit),
          reverse,
          ...(excludeMsgid !== undefined && { excludeMsgid: String(excludeMsgid) }),
        });
        seen.push(...msgs.map((m) => m.seq));
        if (msgs.length < limit) return seen;
        const last = msgs[msgs.length - 1]!;
        if (reverse === "1") begintime = last.sendtime;
        else endtime = last.sendtime;
        excludeMsgid = last.msgid;
      }
      throw new Error("the walk did not end");
    };
    const seqs = all.map((m) => m.seq);
    expect(await walk("1", 100)).toEqual(seqs);
    expect(await walk("2", 100)).toEqual([...seqs].reverse());
    expect(await walk("1", 7)).toEqual(seqs);
    expect(await walk("2", 7)).toEqual([...seqs].reverse());

    // excludeMsgid of a message in the middle of the window only leaves that message out.
    const middle = all[100]!;
    const around = await page({
      begintime: String(t0),
      endtime: String(t0 + 10),
      limit: "100",
      reverse: "1",
      excludeMsgid: String(middle.msgid),
    });
    expect(around.map((m) => m.seq)).toEqual(seqs.filter((s) => s !== middle.seq).slice(0, 100));
    // begintime is inclusive: a page starting at the burst's time starts with its first message.
    const atBurst = await page({ begintime: String(t0 + 5), endtime: String(t0 + 5), limit: "1", reverse: "1" });
    expect(atBurst.map((m) => m.seq)).toEqual([4]);
  });

  it("keeps history, conversation lists and read positions across a restart", async () => {
    const before = await fullHistory(api, "h2", "h1");
    const convsBefore = await api.node.messaging.conversations(api.appKey, "l1");
    await api.restart();
    expect(await fullHistory(api, "h2", "h1")).toEqual(before);
    expect(await api.node.messaging.conversations(api.appKey, "l1")).toEqual(convsBefore);
    // Numbering continues after the restart, gap-free.
    const res = await restSendText(api, "h1", "h2", "after restart");
    expect(res.code).toBe(200);
    expect((await fullHistory(api, "h2", "h1")).map((m) => m.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it("leaves out messages past retention: purged by the journal's sweep, gone from history", async () => {
    // Retention is days long; purge as if a few years had passed instead of waiting.
    const purged = await api.node.store.journal.purgeExpired(Date.now() + 4 * 365 * 86_400_000);
    expect(purged).toBeGreaterThan(0);
    expect(await fullHistory(api, "h2", "h1")).toEqual([]);
    expect(await query({})).toEqual([]);
  });
});
