import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode, type NimResponse } from "../support/nim-api.ts";
import { createUsers, fullHistory, restHistory, restSendText } from "../support/messaging.ts";

describeOnEachStore("server API: msg/sendMsg and msg/sendBatchMsg", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    // 300 sends at once into one conversation: the FerretDB that every test file shares can take
    // longer than the product's 5 s deadline to store them all when the whole suite runs at once.
    // This file checks order and once-only under concurrency, not speed (that is bench/'s job).
    api = await startApiNode({ backend, askTimeoutMs: 30_000 });
    await createUsers(api, "s1", "s2", "s3", "s4", "c1", "c2", "d1", "d2", "b0", "b1", "b2", "b3", "f1", "f2");
  });
  afterAll(async () => api.close());

  it("sends a text message: answers data {msgid, timetag, antispam}, and history shows it as NIM does", async () => {
    const before = Date.now();
    const res = await restSendText(api, "s1", "s2", "hello");
    expect(res).toEqual({ code: 200, data: { msgid: expect.any(Number), timetag: expect.any(Number), antispam: false } });
    const { msgid, timetag } = res.data as { msgid: number; timetag: number };
    expect(timetag).toBeGreaterThanOrEqual(before);
    const [m] = await restHistory(api, "s2", "s1");
    expect(m).toMatchObject({ from: "s1", to: "s2", msgid, sendtime: timetag, type: 0, seq: 1, fromclienttype: 32 });
    expect(JSON.parse(m!.body)).toEqual({ msg: "hello" });
    // Made by the server when the app server names none: a UUID version 7, time-ordered like the SDK's.
    expect(m!.msgidclient).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("accepts every sendable type with a NIM body, and keeps ext and option", async () => {
    const bodies: [number, object][] = [
      [1, { name: "a.jpg", md5: "x", url: "https://x/a.jpg", ext: "jpg", w: 10, h: 20, size: 300 }],
      [2, { dur: 1200, md5: "x", url: "https://x/a.aac", ext: "aac", size: 30 }],
      [3, { dur: 5000, md5: "x", url: "https://x/a.mp4", w: 640, h: 480, ext: "mp4", size: 3000 }],
      [4, { title: "Home", lng: 120.1, lat: 30.2 }],
      [6, { name: "a.pdf", md5: "x", url: "https://x/a.pdf", ext: "pdf", size: 3 }],
      [10, { msg: "a tip" }],
      [100, { anything: ["goes", 1] }],
    ];
    for (const [type, body] of bodies) {
      const res = await api.call("msg/sendMsg", {
        from: "s3",
        ope: "0",
        to: "s4",
        type: String(type),
        body: JSON.stringify(body),
        ext: "e",
        option: JSON.stringify({ roam: false, needPushNick: true }),
      });
      expect(res.code, `type ${type}: ${JSON.stringify(res)}`).toBe(200);
    }
    const msgs = await fullHistory(api, "s3", "s4");
    expect(msgs.map((m) => m.type)).toEqual(bodies.map(([t]) => t));
    expect(msgs.map((m) => m.body)).toEqual(bodies.map(([, b]) => b));
    expect(msgs.every((m) => m.ext === "e" && m.option?.roam === false)).toBe(true);
  });

  it("takes the parameters as NIM's official SDKs send them: camel-case push fields, msgDesc, option keys NIM does not define", async () => {
    // The SDKs' own tests send option={"optionKey":"optionValue"} and expect 200.
    const res = await api.call("msg/sendMsg", {
      from: "s3",
      ope: "0",
      to: "s4",
      type: "0",
      body: '{"msg":"sdk"}',
      option: JSON.stringify({ optionKey: "optionValue", roam: false }),
      pushContent: "p",
      msgDesc: "d",
      forcePushAll: "true",
      forcePushList: '["s4"]',
      forcePushContent: "f",
      msgidClient: "sdk-shape",
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const sent = (await fullHistory(api, "s3", "s4")).find((m) => m.clientMsgId === "sdk-shape")!;
    // The undefined key is dropped; the known one is kept.
    expect(sent.option).toEqual({ roam: false });
    const batch = await api.call("msg/sendBatchMsg", {
      fromAccid: "s3",
      toAccids: '["s4"]',
      type: "0",
      body: '{"msg":"sdk batch"}',
      option: '{"optionKey":"optionValue"}',
      pushContent: "p",
      msgDesc: "d",
    });
    expect(batch).toMatchObject({ code: 200, unregister: [] });
  });

  it("deduplicates by msgidClient: the same msgid back, one message in history", async () => {
    const first = await restSendText(api, "d1", "d2", "once", { msgidClient: "client-1" });
    const again = await restSendText(api, "d1", "d2", "once", { msgidClient: "client-1" });
    expect(first.code).toBe(200);
    expect(again).toEqual(first);
    const msgs = await restHistory(api, "d1", "d2");
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.msgidclient).toBe("client-1");
    // The same id from the other side is not a resend of this message.
    const other = await restSendText(api, "d2", "d1", "mine", { msgidClient: "client-1" });
    expect(other.code).toBe(414);
    expect(other.desc).toMatch(/^msgidClient: /);
    expect(await restHistory(api, "d1", "d2")).toHaveLength(1);
  });

  it("keeps gap-free order when two users send to each other concurrently: seqs 1..N, every message once", async () => {
    const n = 150;
    const sends: Promise<NimResponse>[] = [];
    for (let i = 0; i < n; i++) {
      sends.push(restSendText(api, "c1", "c2", `a${i}`, { msgidClient: `a${i}` }));
      sends.push(restSendText(api, "c2", "c1", `b${i}`, { msgidClient: `b${i}` }));
    }
    const answers = await Promise.all(sends);
    expect(answers.filter((a) => a.code !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => (a.data as { msgid: number }).msgid)).size).toBe(2 * n);
    const msgs = await fullHistory(api, "c1", "c2");
    expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
    expect(new Set(msgs.map((m) => m.clientMsgId)).size).toBe(2 * n);
    // Each sender's own messages keep the order they were acknowledged in.
    const times = msgs.map((m) => m.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("ope 1 sends to a team: 803 naming `to` when there is no such team, 414 when `to` is not a tid", async () => {
    const res = await api.call("msg/sendMsg", { from: "s1", ope: "1", to: "1001", type: "0", body: '{"msg":"x"}' });
    expect(res).toEqual({ code: 803, desc: "to: team 1001 does not exist" });
    const bad = await api.call("msg/sendMsg", { from: "s1", ope: "1", to: "s2", type: "0", body: '{"msg":"x"}' });
    expect(bad).toEqual({ code: 414, desc: "to: must be a team id with ope 1" });
  });

  it("checkFriend=true refuses a non-friend with 403 and sends to a friend", async () => {
    const refused = await restSendText(api, "f1", "f2", "hi", { checkFriend: "true" });
    expect(refused).toEqual({ code: 403, desc: "to: f2 is not a friend of f1" });
    expect(await restHistory(api, "f1", "f2")).toEqual([]);
    expect((await api.call("friend/add", { accid: "f1", faccid: "f2", type: "1" })).code).toBe(200);
    expect((await restSendText(api, "f1", "f2", "hi", { checkFriend: "true" })).code).toBe(200);
  });

  it("sendBatchMsg sends to each account, lists the unknown ones in unregister, and answers msgids on request", async () => {
    const res = await api.call("msg/sendBatchMsg", {
      fromAccid: "b0",
      toAccids: JSON.stringify(["b1", "B2", "nobody1", "b3", "b1"]),
      type: "0",
      body: JSON.stringify({ msg: "to all" }),
      returnMsgid: "true",
    });
    expect(res).toMatchObject({ code: 200, unregister: ["nobody1"], timetag: expect.any(Number) });
    const msgids = res.msgids as Record<string, number>;
    expect(Object.keys(msgids).sort()).toEqual(["b1", "b2", "b3"]);
    for (const to of ["b1", "b2", "b3"]) {
      const msgs = await restHistory(api, to, "b0");
      expect(msgs.map((m) => m.msgid)).toEqual([msgids[to]]);
    }
    const plain = await api.call("msg/sendBatchMsg", { fromAccid: "b0", toAccids: '["b1"]', type: "0", body: '{"msg":"again"}' });
    expect(plain).toEqual({ code: 200, unregister: [], timetag: expect.any(Number) });
  });

  it("sendBatchMsg refuses a whole batch for a bad sender or body, sending nothing", async () => {
    expect(await api.call("msg/sendBatchMsg", { fromAccid: "ghost", toAccids: '["b1"]', type: "0", body: '{"msg":"x"}' })).toEqual({
      code: 404,
      desc: "fromAccid: account ghost does not exist",
    });
    const bad = await api.call("msg/sendBatchMsg", { fromAccid: "b0", toAccids: '["b3"]', type: "0", body: '{"text":"x"}' });
    expect(bad).toEqual({ code: 414, desc: "body.msg: required" });
    const tooMany = JSON.stringify(Array.from({ length: 101 }, (_, i) => `u${i}`));
    const res = await api.call("msg/sendBatchMsg", {
      fromAccid: "b0",
      toAccids: tooMany,
      type: "0",
      body: '{"msg":"x"}',
      returnMsgid: "true",
    });
    expect(res).toEqual({ code: 414, desc: "toAccids: at most 100 with returnMsgid" });
    expect((await restHistory(api, "b3", "b0")).map((m) => JSON.parse(m.body).msg)).toEqual(["to all"]);
  });
});
