import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "nimbus/client";
import { p2pConversation } from "../../src/conversation/ref.ts";
import { describeOnEachStore, startApiNode, type ApiNode, type Backend } from "../support/nim-api.ts";
import { createUser } from "../support/users.ts";
import { restSendText } from "../support/messaging.ts";
import { AppServer } from "../support/app-server.ts";
import { waitUntil } from "../support/actor-system.ts";

/** The data sync bodies received, by eventType, in arrival order. */
function bodies(app: AppServer, eventType: string): Record<string, unknown>[] {
  return app.events("/sync", eventType).map((r) => r.body);
}

describeOnEachStore("data sync to a real app server", (backend: Backend) => {
  let app: AppServer;
  let api: ApiNode;

  beforeAll(async () => {
    app = new AppServer();
    await app.start();
    api = await startApiNode({
      backend,
      app: { hooks: { callback: { timeoutMs: 2000, onFailure: "allow" }, dataSync: { url: app.url("/sync") } } },
    });
    app.secrets.set(api.appKey, api.appSecret);
  });
  afterAll(async () => {
    await api?.close();
    await app?.stop();
  });

  it("sends every p2p message (devices' and REST's) as eventType 1 with NIM's string fields and a valid signature; route=false opts out", async () => {
    const [alice, bob] = [`al${backend}`, `bo${backend}`];
    await createUser(api, alice);
    await createUser(api, bob);
    const conv = p2pConversation(alice, bob);
    const device = await api.node.messaging.send(api.appKey, conv, {
      from: alice,
      type: 0,
      body: { msg: "hi bob" },
      ext: "e1",
      fromClientType: "IOS",
      fromDeviceId: "phone-1",
    });
    const custom = await api.node.messaging.send(api.appKey, conv, { from: bob, type: 100, body: { card: 7 } });
    expect(await restSendText(api, alice, bob, "over REST")).toMatchObject({ code: 200 });
    expect(await restSendText(api, alice, bob, "not routed", { option: JSON.stringify({ route: false }) })).toMatchObject({ code: 200 });
    await waitUntil(
      () => bodies(app, "1").filter((b) => String(b.fromAccount).startsWith("al") || String(b.fromAccount).startsWith("bo")).length >= 3,
      15_000,
      "three messages synced",
    );

    const mine = app.events("/sync", "1").filter((r) => r.body.to === bob || r.body.to === alice);
    expect(mine.every((r) => r.signed && r.headers.AppKey === api.appKey)).toBe(true);
    expect(mine.map((r) => r.body.body)).toEqual(["hi bob", JSON.stringify({ card: 7 }), "over REST"]);
    expect(mine[0]!.body).toEqual({
      eventType: "1",
      convType: "PERSON",
      fromAccount: alice,
      to: bob,
      msgType: "TEXT",
      body: "hi bob",
      ext: "e1",
      msgidClient: device.clientMsgId,
      msgidServer: String(device.msgid),
      msgTimestamp: String(device.time),
      fromClientType: "IOS",
      fromDeviceId: "phone-1",
      resendFlag: "0",
      eventId: expect.any(String),
    });
    expect(mine[1]!.body).toMatchObject({
      msgType: "CUSTOM",
      attach: JSON.stringify({ card: 7 }),
      msgidServer: String(custom.msgid),
      fromClientType: "REST",
    });
    expect(mine[2]!.body).toMatchObject({ msgType: "TEXT", fromClientType: "REST", to: bob });
    // Every value is a string, as NIM sends them.
    for (const r of mine) for (const v of Object.values(r.body)) expect(typeof v).toBe("string");
    // The event ids are distinct (an app server dedups on them).
    expect(new Set(mine.map((r) => r.body.eventId)).size).toBe(3);
  });

  it("sends recalls (7) and read receipts (30), after the message they are about", async () => {
    const [carol, dave] = [`ca${backend}`, `da${backend}`];
    await createUser(api, carol);
    await createUser(api, dave);
    const conv = p2pConversation(carol, dave);
    const ack = await api.node.messaging.send(api.appKey, conv, {
      from: carol,
      type: 0,
      body: { msg: "oops" },
      fromClientType: "AOS",
      fromDeviceId: "c1",
    });
    await api.node.messaging.recall(api.appKey, conv, { by: carol, from: carol, msgid: ack.msgid });
    // Recalling again (an app server retrying) is not told again.
    await api.node.messaging.recall(api.appKey, conv, { by: null, from: carol, msgid: ack.msgid });
    const second = await api.node.messaging.send(api.appKey, conv, { from: carol, type: 0, body: { msg: "read me" } });
    await api.node.messaging.markRead(api.appKey, conv, { reader: dave, seq: second.seq });
    // The same position again moves nothing and is not told again; a later message then is.
    await api.node.messaging.markRead(api.appKey, conv, { reader: dave, seq: second.seq });
    const third = await api.node.messaging.send(api.appKey, conv, { from: carol, type: 0, body: { msg: "and me" } });
    await waitUntil(() => app.events("/sync").filter((r) => JSON.stringify(r.body).includes(carol)).length >= 5, 15_000, "five events");
    await api.node.messaging.markRead(api.appKey, conv, { reader: dave, seq: third.seq });
    await waitUntil(() => app.events("/sync").filter((r) => JSON.stringify(r.body).includes(carol)).length >= 6, 15_000, "six events");

    const events = app.events("/sync").filter((r) => JSON.stringify(r.body).includes(carol));
    expect(events.map((r) => r.body.eventType)).toEqual(["1", "7", "1", "30", "1", "30"]);
    expect(JSON.parse(String(events[5]!.body.objects))[0]).toMatchObject({ msgidClient: third.clientMsgId });
    expect(events[1]!.body).toMatchObject({
      eventType: "7",
      clientId: ack.clientMsgId,
      msgId: String(ack.msgid),
      from: carol,
      to: dave,
      selfMsg: "true",
      sendTime: String(ack.time),
    });
    expect(JSON.parse(String(events[3]!.body.objects))).toEqual([
      { fromAccount: dave, toAccount: carol, clientType: "REST", msgidClient: second.clientMsgId, timestamp: expect.any(String) },
    ]);
    expect(events.every((r) => r.signed)).toBe(true);
  });

  it("sends a device's login (2) and logout (3, logOutReason 1)", async () => {
    const erin = `er${backend}`;
    const { token } = await createUser(api, erin);
    const device = await connect({ url: api.url, appKey: api.appKey, accid: erin, token, deviceId: "erin-pc", clientType: "PC" });
    await device.logout();
    await waitUntil(() => app.events("/sync").filter((r) => r.body.accid === erin).length >= 2, 15_000, "login and logout");
    const [login, logout] = app.events("/sync").filter((r) => r.body.accid === erin);
    expect(login!.body).toMatchObject({
      eventType: "2",
      accid: erin,
      clientType: "PC",
      deviceId: "erin-pc",
      code: "200",
      clientIp: expect.any(String),
    });
    expect(logout!.body).toMatchObject({ eventType: "3", accid: erin, deviceId: "erin-pc", logOutReason: "1" });
  });
});

describe("data sync survives the app server being down across a node restart [sqlite]", () => {
  let app: AppServer;
  let api: ApiNode;
  beforeAll(async () => {
    app = new AppServer();
    await app.start();
    api = await startApiNode({
      backend: "sqlite",
      app: { hooks: { callback: { timeoutMs: 2000, onFailure: "allow" }, dataSync: { url: app.url("/sync") } } },
    });
    app.secrets.set(api.appKey, api.appSecret);
  });
  afterAll(async () => {
    await api?.close();
    await app?.stop();
  });

  it("delivers every event, in order per conversation, once the app server is back", async () => {
    const users = ["p1", "p2", "p3", "p4"];
    for (const u of users) await createUser(api, u);
    await app.stop();
    const pairs: [string, string][] = [
      ["p1", "p2"],
      ["p3", "p4"],
      ["p1", "p3"],
    ];
    const sent = new Map<string, string[]>();
    for (let i = 0; i < 10; i++) {
      for (const [a, b] of pairs) {
        const ack = await api.node.messaging.send(api.appKey, p2pConversation(a, b), {
          from: i % 2 ? a : b,
          type: 0,
          body: { msg: `${a}${b}-${i}` },
        });
        sent.set(ack.conv, [...(sent.get(ack.conv) ?? []), ack.clientMsgId]);
      }
      if (i === 4) await api.restart(); // while the app server is down, half the messages queued
    }
    // While the app server is down the backlog shows: in /healthz and in /metrics.
    type HooksHealth = {
      hooks: Record<string, { queueDepth: number; retrying: number; failed: number; oldestUndeliveredMs: number; lastError?: string }>;
    };
    await waitUntil(
      async () => ((await api.node.http.inject({ method: "GET", url: "/healthz" })).json() as HooksHealth).hooks[api.appKey]!.retrying > 0,
      10_000,
      "a retry in /healthz",
    );
    const down = ((await api.node.http.inject({ method: "GET", url: "/healthz" })).json() as HooksHealth).hooks[api.appKey]!;
    expect(down.queueDepth).toBeGreaterThan(0);
    expect(down.failed).toBeGreaterThan(0);
    expect(down.oldestUndeliveredMs).toBeGreaterThan(0);
    expect(down.lastError).toBeDefined();
    const metrics = (await api.node.http.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(new RegExp(`nimbus_datasync_queue_depth\\{[^}]*app="${api.appKey}"[^}]*\\} [1-9]`));
    expect(metrics).toMatch(new RegExp(`nimbus_datasync_oldest_undelivered_seconds\\{[^}]*app="${api.appKey}"`));
    await app.start();
    await waitUntil(() => new Set(app.events("/sync", "1").map((r) => r.body.msgidClient)).size >= 30, 60_000, "30 messages synced");
    for (const [conv, ids] of sent) {
      const [a, b] = conv.split("|");
      const arrived = app
        .events("/sync", "1")
        .filter((r) => (r.body.fromAccount === a && r.body.to === b) || (r.body.fromAccount === b && r.body.to === a))
        .map((r) => String(r.body.msgidClient));
      // At least once: a repeat may follow a restart, but never out of order.
      const firsts = arrived.filter((id, i) => arrived.indexOf(id) === i);
      expect(firsts).toEqual(ids);
    }
    // Each event is acked once its answer is in: the queue empties right after the last one.
    const depth = async () => ((await api.node.http.inject({ method: "GET", url: "/healthz" })).json() as HooksHealth).hooks[api.appKey]!;
    await waitUntil(
      async () => {
        const d = await depth();
        return d.queueDepth === 0 && d.retrying === 0 && d.oldestUndeliveredMs === 0;
      },
      10_000,
      "an empty queue, nothing retrying or held",
    );
  });
});

describe("a slow app server does not slow senders [sqlite]", () => {
  let app: AppServer;
  let api: ApiNode;
  let answered = 0;
  beforeAll(async () => {
    app = new AppServer();
    // Every data sync request takes 2 s to answer.
    app.answer = () => ({ delayMs: 2000, status: 200, body: {} });
    await app.start();
    api = await startApiNode({
      backend: "sqlite",
      app: { hooks: { callback: { timeoutMs: 2000, onFailure: "allow" }, dataSync: { url: app.url("/sync") } } },
    });
    app.secrets.set(api.appKey, api.appSecret);
  });
  afterAll(async () => {
    await api?.close();
    await app?.stop();
  });

  it("acks every send while the app server has taken almost none of their events", async () => {
    await createUser(api, "s1");
    await createUser(api, "s2");
    const started = app.requests.length;
    for (let i = 0; i < 30; i++) {
      const ack = await api.node.messaging.send(api.appKey, p2pConversation("s1", "s2"), { from: "s1", type: 0, body: { msg: `m${i}` } });
      expect(ack.seq).toBe(i + 1);
    }
    // One conversation is one bucket, delivered one event at a time: 30 sends that each waited for
    // their data sync would have taken 30 answers of 2 s; at most the first few have even arrived.
    answered = app.requests.length - started;
    expect(answered).toBeLessThan(5);
  });
});
