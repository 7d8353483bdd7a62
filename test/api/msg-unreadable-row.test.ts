import { join } from "node:path";
import Database from "better-sqlite3";
import { it, expect, beforeAll, afterAll, describe } from "vitest";
import { connect, type Message, type NimbusClient } from "nimbus/client";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { restHistory, restSendText } from "../support/messaging.ts";
import { createUser } from "../support/users.ts";

/**
 * Issue 14, defect 1 (the reading side): a journal row whose payload cannot be decoded — planted
 * here straight into the node's SQLite file, as the newest message of a conversation, the worst
 * place — must not stop the conversation's actor from activating after a restart, nor break
 * history, the conversation lists, login sync or further sends. It is skipped, logged and counted.
 */
describe("stored data an older version or damage left unreadable stops nothing [sqlite]", () => {
  let api: ApiNode;
  const tokens: Record<string, string> = {};
  const clients: NimbusClient[] = [];
  /** Far above any msgid the node hands out in this test. */
  const PLANTED_MSGID = 8_000_000_000_000_000;

  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
    for (const a of ["ua", "ub", "uc"]) tokens[a] = (await createUser(api, a)).token;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await api.close();
  });

  async function historyBodies(me: string, peer: string): Promise<string[]> {
    return (await restHistory(api, me, peer, { reverse: "1" })).map((m) => (JSON.parse(m.body) as { msg: string }).msg);
  }

  /** Writes a row after the conversation's newest one, from another connection, as damage on disk would leave it. */
  function plantUnreadableRow(): void {
    const { dataDir, store } = api.node.config;
    const db = new Database(join(dataDir, store.sqliteFile), { timeout: 5000 });
    try {
      const conversation = `session/${api.appKey}/ua|ub`;
      const last = db.prepare("SELECT seq, time FROM journal WHERE conversation = ? ORDER BY seq DESC LIMIT 1").get(conversation) as {
        seq: number;
        time: number;
      };
      db.prepare(
        `INSERT INTO journal (conversation, seq, msgid, client_msg_id, sender, time, type, flags, expire_at, payload)
         VALUES (?, ?, ?, 'planted', 'ua', ?, 0, 0, ?, ?)`,
      ).run(conversation, last.seq + 1, PLANTED_MSGID, last.time + 1, Date.now() + 86_400_000, Buffer.from([0xc1, 0x00]));
    } finally {
      db.close();
    }
  }

  it("activates the conversation on it after a restart, reads around it, and goes on", async () => {
    for (const text of ["one", "two", "three"]) expect((await restSendText(api, "ua", "ub", text)).code).toBe(200);
    plantUnreadableRow();
    await api.restart(); // every actor activates afresh: the session reads the planted row as its newest

    // Sends both ways: REST, and a device over the link.
    expect(await restSendText(api, "ua", "ub", "four")).toMatchObject({ code: 200 });
    const b = await connect({ url: api.url, appKey: api.appKey, accid: "ub", token: tokens.ub!, deviceId: "b-phone", clientType: "WEB" });
    clients.push(b);
    const synced: Message[] = [];
    b.on("message", (m) => synced.push(m));
    await b.synced();
    const ack = await b.sendText("ua", "five");
    expect(ack.seq).toBe(6); // after the planted seq 4 and "four" at 5: its seq stays taken, no gap

    // History from both sides, without the planted row.
    expect(await historyBodies("ua", "ub")).toEqual(["one", "two", "three", "four", "five"]);
    expect(await historyBodies("ub", "ua")).toEqual(["one", "two", "three", "four", "five"]);
    // The new device: the four before it came, by login sync, and its own "five"; never the planted row.
    expect(synced.map((m) => (m.body as { msg: string }).msg)).toEqual(["one", "two", "three", "four", "five"]);

    // Conversation lists: the unread count does not count the planted row.
    for (const [me, peer, unread] of [
      ["ua", "ub", 1],
      ["ub", "ua", 4],
    ] as const) {
      const list = await api.call("history/querySessionList", { accid: me, needLastMsg: "1" });
      expect(list.code, JSON.stringify(list)).toBe(200);
      const session = (list.data as { sessions: { accid: string; unreadCount: number }[] }).sessions.find((s) => s.accid === peer);
      expect(session, me).toMatchObject({ unreadCount: unread });
    }

    // Nothing may act on a message nobody can read.
    const recall = await api.call("msg/recall", { deleteMsgid: String(PLANTED_MSGID), timetag: "0", type: "7", from: "ua", to: "ub" });
    expect(recall).toMatchObject({ code: 404, desc: expect.stringMatching(/^deleteMsgid:/) });

    // Counted for the operator.
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const count = /^nimbus_store_unreadable_journal_entries_total\{[^}]*\} (\d+)$/m.exec(metrics)?.[1];
    expect(Number(count)).toBeGreaterThan(0);
  });

  it("reads what an older version stored with a __proto__ key — the newest message, and the inbox snapshot holding it — with the key renamed", async () => {
    for (const text of ["one", "two"]) expect((await restSendText(api, "uc", "ub", text)).code).toBe(200);
    await api.restart(); // every actor saved and gone: the store is all there is
    // What the old version wrote for `msg/sendMsg body={"msg":"poison","__proto__":{}}`: the
    // message as the newest of the conversation, and the sender's inbox with it as the last message.
    const conversation = `session/${api.appKey}/ub|uc`;
    const [last] = await api.node.store.journal.rangeBySeq({ conversation, order: "desc", limit: 1 });
    const poisonBody = JSON.parse('{"msg":"poison","__proto__":{"polluted":true}}') as Record<string, unknown>;
    await api.node.store.journal.append([
      {
        conversation,
        seq: last!.seq + 1,
        msgid: PLANTED_MSGID + 1,
        clientMsgId: "old-poison",
        from: "uc",
        time: last!.time + 1,
        type: 0,
        flags: 0,
        expireAt: Date.now() + 86_400_000,
        payload: { to: "ub", body: poisonBody },
        prevMsgid: last!.msgid,
      },
    ]);
    const inboxKey = `${api.appKey}/uc`;
    const inbox = await api.node.store.snapshots.load("inbox", inboxKey);
    const state = inbox!.state as { convs: Record<string, { lastSeq: number; lastMessage: Record<string, unknown> }> };
    const entry = state.convs["ub|uc"]!;
    entry.lastSeq = last!.seq + 1;
    entry.lastMessage = { ...entry.lastMessage, seq: last!.seq + 1, msgid: PLANTED_MSGID + 1, body: poisonBody };
    await api.node.store.snapshots.save("inbox", inboxKey, state, inbox!.version);

    const renamed = { msg: "poison", __proto_: { polluted: true } };
    expect(await restSendText(api, "uc", "ub", "three")).toMatchObject({ code: 200 });
    expect((await restHistory(api, "ub", "uc", { reverse: "1" })).map((m) => JSON.parse(m.body) as unknown)).toEqual([
      { msg: "one" },
      { msg: "two" },
      renamed,
      { msg: "three" },
    ]);
    for (const accid of ["uc", "ub"]) {
      const list = await api.call("history/querySessionList", { accid, needLastMsg: "1" });
      expect(list.code, `${accid}: ${JSON.stringify(list)}`).toBe(200);
    }
    const sync = await api.node.messaging.sync(api.appKey, "ub", {});
    expect(sync.messages["ub|uc"]?.map((m) => m.body)).toEqual([{ msg: "one" }, { msg: "two" }, renamed, { msg: "three" }]);
  });
});
