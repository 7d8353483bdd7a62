import { p2pConversation } from "../../src/conversation/ref.ts";
import { it, expect, beforeAll, afterAll } from "vitest";
import { connect, MessageType, MessagingRequests, NimbusClientError, type Message, type NimbusClient, type SendAck } from "nimbus/client";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { restHistory } from "../support/messaging.ts";
import { createUser } from "../support/users.ts";

/**
 * Issue 14, defects 1 and 2: a body the store could not read back (a `__proto__` key) or the
 * encoder could not write (nested past its depth) used to be accepted, or fail after its msgid
 * was taken, and then break the conversation for good. Everything that is refused is refused
 * with 414 before anything is numbered; everything that is accepted comes back unchanged — from
 * REST and from the SDK, in history, the conversation lists and login sync, before and after a
 * restart, and the conversation goes on in both directions.
 */

const PROTO_BODIES = [
  '{"msg":"x","__proto__":{}}',
  '{"msg":"x","a":{"b":{"__proto__":{"polluted":true}}}}',
  '{"msg":"x","list":[1,{"__proto__":null}]}',
];
/** `constructor` and `prototype` are ordinary keys: kept as sent. */
const CONSTRUCTOR_BODY = { msg: "c", constructor: { prototype: { polluted: true } }, prototype: { x: 1 } };

/** `{"msg":"x","d":{"a":{"a":…1}}}`: the body itself is level 1, so `levels` objects in all. */
function nested(levels: number): string {
  const inner = levels - 1;
  return `{"msg":"x","d":${'{"a":'.repeat(inner)}1${"}".repeat(inner)}}`;
}

describeOnEachStore("server API and SDK: what a send stores reads back, and a refused body takes nothing", (backend) => {
  let api: ApiNode;
  const tokens: Record<string, string> = {};
  const clients: NimbusClient[] = [];
  /** Every message of pa|pb the server should hold, oldest first: [from, body]. */
  const expected: [string, Record<string, unknown>][] = [];

  beforeAll(async () => {
    api = await startApiNode({ backend });
    for (const a of ["pa", "pb", "pc"]) tokens[a] = (await createUser(api, a)).token;
  });
  afterAll(async () => {
    await logoutAll();
    await api.close();
  });

  async function logoutAll(): Promise<void> {
    await Promise.all(clients.splice(0).map((c) => c.logout().catch(() => undefined)));
  }

  /** A new device (no sync state: it gets NIM's roaming set), logged in and synced. */
  async function device(accid: string, deviceId: string): Promise<{ client: NimbusClient; received: Message[] }> {
    const client = await connect({ url: api.url, appKey: api.appKey, accid, token: tokens[accid]!, deviceId, clientType: "WEB" });
    clients.push(client);
    const received: Message[] = [];
    client.on("message", (m) => received.push(m));
    await client.synced();
    return { client, received };
  }

  async function restSend(from: string, to: string, body: string, extra: Record<string, string> = {}) {
    return api.call("msg/sendMsg", { from, ope: "0", to, type: "100", body, ...extra });
  }

  async function restSendOk(from: string, to: string, body: Record<string, unknown>): Promise<number> {
    const res = await restSend(from, to, JSON.stringify(body));
    expect(res, JSON.stringify(res)).toMatchObject({ code: 200 });
    expected.push([from, body]);
    return (res.data as { msgid: number }).msgid;
  }

  async function sdkSendOk(client: NimbusClient, from: string, to: string, body: Record<string, unknown>): Promise<SendAck> {
    const ack = await client.send(to, MessageType.CUSTOM, body);
    expected.push([from, body]);
    return ack;
  }

  async function codeOf(p: Promise<unknown>): Promise<{ code: number; desc: string }> {
    try {
      await p;
      return { code: 200, desc: "" };
    } catch (err) {
      if (err instanceof NimbusClientError) return { code: err.code, desc: err.message };
      throw err;
    }
  }

  /** History over REST from both sides, the conversation lists and a new device's login sync: all of it, intact. */
  async function expectConversationReadable(when: string): Promise<void> {
    const want = expected.map(([from, body]) => [from, body]);
    for (const [me, peer] of [
      ["pa", "pb"],
      ["pb", "pa"],
    ] as const) {
      const msgs = await restHistory(api, me, peer, { reverse: "1" });
      expect(
        msgs.map((m) => [m.from, JSON.parse(m.body) as unknown]),
        `${when}: history of ${me}`,
      ).toEqual(want);

      const list = await api.call("history/querySessionList", { accid: me, needLastMsg: "1" });
      expect(list.code, `${when}: session list of ${me}: ${JSON.stringify(list)}`).toBe(200);
      const sessions = (list.data as { sessions: { accid: string; lastMsg?: string }[] }).sessions;
      const session = sessions.find((s) => s.accid === peer);
      expect(JSON.parse((JSON.parse(session!.lastMsg!) as { body: string }).body), `${when}: last message of ${me}`).toEqual(
        want.at(-1)![1],
      );
    }
    const fresh = await device("pb", `sync-${expected.length}-${Date.now()}`);
    expect(
      fresh.received.filter((m) => m.conv === "pa|pb").map((m) => [m.from, m.body]),
      `${when}: login sync of a new device`,
    ).toEqual(want);
    const convs = await fresh.client.conversations();
    expect(convs.find((c) => c.conv === "pa|pb")?.lastMessage?.body, `${when}: conversations over the link`).toEqual(want.at(-1)![1]);
  }

  it("refuses a __proto__ key anywhere in a body with 414 naming it, from REST sendMsg and sendBatchMsg, before a msgid is taken", async () => {
    const first = await restSendOk("pa", "pb", { msg: "before" });
    for (const body of PROTO_BODIES) {
      const res = await restSend("pa", "pb", body);
      expect(res.code, `${body}: ${JSON.stringify(res)}`).toBe(414);
      expect(res.desc).toMatch(/^body[.\w[\]]*: the key "__proto__" is not allowed/);
      const batch = await api.call("msg/sendBatchMsg", { fromAccid: "pa", toAccids: '["pb","pc"]', type: "100", body });
      expect(batch.code, `batch ${body}: ${JSON.stringify(batch)}`).toBe(414);
      expect(batch.desc).toMatch(/^body/);
    }
    // The same key in a notification's `option` is an unknown switch: 414 naming option.
    const notice = await api.call("msg/sendAttachMsg", { from: "pa", msgtype: "0", to: "pb", attach: "{}", option: '{"__proto__":{}}' });
    expect(notice).toMatchObject({ code: 414, desc: expect.stringMatching(/^option:/) });
    // Nothing was numbered: the next message takes the very next msgid (one node's block) and seq.
    expect(await restSendOk("pa", "pb", { msg: "after" })).toBe(first + 1);
    // In a message's `option` it is a key NIM does not define, which is ignored like any other
    // (NIM's SDKs send such keys): the message is stored, and its option holds no such key.
    const withKey = await restSend("pa", "pb", '{"msg":"keyed"}', { option: '{"__proto__":true,"badge":false}' });
    expect(withKey, JSON.stringify(withKey)).toMatchObject({ code: 200 });
    expected.push(["pa", { msg: "keyed" }]);
    const stored = (
      await api.node.messaging.history(api.appKey, { accid: "pa", conv: p2pConversation("pa", "pb"), limit: 1, order: "desc" })
    )[0]!;
    expect(stored.option).toEqual({ badge: false });
    expect(Object.getPrototypeOf(stored.option)).toBe(Object.prototype);
    // pc got nothing from the refused batches.
    const pc = await api.node.messaging.history(api.appKey, { accid: "pc", conv: p2pConversation("pc", "pa"), limit: 100, order: "asc" });
    expect(pc).toEqual([]);
  });

  it("refuses a body nested past the documented depth with 414, over REST and the link, before a msgid is taken", async () => {
    const { client } = await device("pa", "deep-phone");
    // The login event log numbers its entries from the same cluster-wide sequence as messages:
    // wait for this login's entry, so that nothing but these sends takes an id from here on.
    await expect
      .poll(async () => {
        const res = await api.call("history/queryUserEvents", {
          accid: "pa",
          begintime: "0",
          endtime: String(Date.now() + 60_000),
          limit: "100",
        });
        return (res.events as { deviceId: string; eventType: number }[]).some((e) => e.deviceId === "deep-phone" && e.eventType === 2);
      })
      .toBe(true);
    const first = await restSendOk("pa", "pb", JSON.parse(nested(32)) as Record<string, unknown>);
    for (const levels of [33, 100, 800]) {
      const res = await restSend("pa", "pb", nested(levels));
      expect(res.code, `${levels} levels: ${JSON.stringify(res).slice(0, 300)}`).toBe(414);
      expect(res.desc).toMatch(/^body(\.d)?(\.a)*: nested too deep: at most 32 levels/);
      const batch = await api.call("msg/sendBatchMsg", { fromAccid: "pa", toAccids: '["pb","pc"]', type: "100", body: nested(levels) });
      expect(batch.code).toBe(414);
    }
    // The SDK refuses it itself; a device that skips the SDK's check is refused by the server.
    expect(await codeOf(client.send("pb", MessageType.CUSTOM, JSON.parse(nested(100)) as Record<string, unknown>))).toMatchObject({
      code: 414,
      desc: expect.stringMatching(/^body[.a-z]*: nested too deep/),
    });
    // 40 levels: past the limit, and within what the SDK's own frame encoder takes (100).
    const raw = client.request<SendAck>(MessagingRequests.SEND, {
      to: "pb",
      type: 100,
      body: JSON.parse(nested(40)) as unknown,
      clientMsgId: "deep",
    });
    expect(await codeOf(raw)).toMatchObject({ code: 414, desc: expect.stringMatching(/^body[.a-z]*: nested too deep/) });
    expect((await sdkSendOk(client, "pa", "pb", { msg: "after deep" })).msgid).toBe(first + 1);
  });

  it("refuses a __proto__ key in the SDK, and stores what reaches the server over the link so that it reads back", async () => {
    const { client } = await device("pa", "proto-phone");
    for (const body of PROTO_BODIES) {
      const refused = await codeOf(client.send("pb", MessageType.CUSTOM, JSON.parse(body) as Record<string, unknown>));
      expect(refused, body).toMatchObject({ code: 414, desc: expect.stringMatching(/^body[.\w[\]]*: the key "__proto__" is not allowed/) });
    }
    // A device that skips the SDK's check: Colyseus's decoder (msgpackr) renames the key `__proto_`
    // before the server sees it, so what is stored is what the server saw, and reads back as such.
    const ack = await client.request<SendAck>(MessagingRequests.SEND, {
      to: "pb",
      type: 100,
      body: JSON.parse('{"msg":"raw","__proto__":{"x":1}}') as unknown,
      clientMsgId: "raw-proto",
    });
    const [stored] = await api.node.messaging.history(api.appKey, {
      accid: "pa",
      conv: p2pConversation("pa", "pb"),
      fromSeq: ack.seq,
      toSeq: ack.seq,
      limit: 1,
      order: "asc",
    });
    expect(stored?.body).not.toHaveProperty("__proto__");
    expected.push(["pa", stored!.body]);
  });

  it("keeps constructor and prototype keys as sent, from REST and the SDK, pushed, stored and read back", async () => {
    const peer = await device("pb", "ctor-phone");
    const { client } = await device("pa", "ctor-laptop");
    await restSendOk("pa", "pb", CONSTRUCTOR_BODY);
    const ack = await sdkSendOk(client, "pa", "pb", CONSTRUCTOR_BODY);
    const deadline = Date.now() + 5000;
    while (!peer.received.some((m) => m.seq === ack.seq) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const pushed = peer.received.filter((m) => m.seq >= ack.seq - 1).map((m) => m.body);
    expect(pushed).toEqual([CONSTRUCTOR_BODY, CONSTRUCTOR_BODY]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("sends system notifications whose attach holds such keys as text, unchanged", async () => {
    const attach = '{"__proto__":{"polluted":true},"constructor":{"prototype":1}}';
    expect(await api.call("msg/sendAttachMsg", { from: "pa", msgtype: "0", to: "pb", attach })).toMatchObject({ code: 200 });
    const sync = await api.node.messaging.sync(api.appKey, "pb", {});
    expect(sync.notifications.map((n) => n.attach)).toContain(attach);
  });

  it("reads the whole conversation back, lists and syncs it, and goes on both ways — and again after a restart", async () => {
    await expectConversationReadable("before the restart");
    const pa = await device("pa", "both-ways-a");
    await restSendOk("pb", "pa", { msg: "rest b->a" });
    await sdkSendOk(pa.client, "pa", "pb", { msg: "sdk a->b" });
    await logoutAll();
    await api.restart();
    await expectConversationReadable("after the restart");
    const pb = await device("pb", "both-ways-b");
    await sdkSendOk(pb.client, "pb", "pa", { msg: "sdk b->a after restart" });
    await restSendOk("pa", "pb", { msg: "rest a->b after restart" });
    await expectConversationReadable("after sending again");
  });
});
