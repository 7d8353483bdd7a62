import { p2pConversation } from "../../src/conversation/ref.ts";
import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers, sendText } from "../support/messaging.ts";
import { decodeUserEvent, userSubject, type UserEvent } from "../../src/protocol/user-events.ts";
import type { BusSubscription } from "../../src/bus/port.ts";

/** Every user event published to some accounts, as their devices' gateways would receive them. */
class Listener {
  readonly events = new Map<string, UserEvent[]>();
  private readonly subs: BusSubscription[] = [];

  constructor(api: ApiNode, accids: string[]) {
    for (const accid of accids) {
      this.events.set(accid, []);
      this.subs.push(api.node.bus.subscribe(userSubject(api.appKey, accid), (data) => this.events.get(accid)!.push(decodeUserEvent(data))));
    }
  }

  of(accid: string, ev?: string): UserEvent[] {
    return (this.events.get(accid) ?? []).filter((e) => ev === undefined || e.ev === ev);
  }

  clear(): void {
    for (const list of this.events.values()) list.length = 0;
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}

const settle = (api: ApiNode) => api.node.bus.flush().then(() => new Promise((r) => setTimeout(r, 20)));

describeOnEachStore("messaging service: what devices hear", (backend) => {
  let api: ApiNode;
  let listener: Listener;
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "e1", "e2", "e3");
    listener = new Listener(api, ["e1", "e2", "e3"]);
  });
  afterAll(async () => {
    listener.close();
    await api.close();
  });

  it("publishes each new message to the recipient and to the sender's other devices, once, after it is stored", async () => {
    listener.clear();
    const ack = await api.node.messaging.send(api.appKey, p2pConversation("e1", "e2"), {
      from: "e1",
      type: 0,
      body: { msg: "hi" },
      clientMsgId: "ev-1",
      fromClientType: "WEB",
      fromDeviceId: "dev-a",
    });
    await settle(api);
    const expected = {
      ev: "msg",
      conv: "e1|e2",
      seq: ack.seq,
      msgid: ack.msgid,
      clientMsgId: "ev-1",
      from: "e1",
      to: "e2",
      time: ack.time,
      type: 0,
      body: { msg: "hi" },
      fromClientType: "WEB",
      fromDeviceId: "dev-a",
    };
    expect(listener.of("e2")).toEqual([expected]);
    expect(listener.of("e1")).toEqual([expected]);
    expect(listener.of("e3")).toEqual([]);
    // A resend is answered, not published again.
    const again = await api.node.messaging.send(api.appKey, p2pConversation("e1", "e2"), {
      from: "e1",
      type: 0,
      body: { msg: "hi" },
      clientMsgId: "ev-1",
    });
    expect(again).toEqual({ ...ack, duplicate: true });
    await settle(api);
    expect(listener.of("e2")).toHaveLength(1);
  });

  it("with sendersync=false, only the recipient hears it", async () => {
    listener.clear();
    await api.node.messaging.send(api.appKey, p2pConversation("e1", "e2"), {
      from: "e1",
      type: 0,
      body: { msg: "quiet" },
      option: { sendersync: false },
    });
    await settle(api);
    expect(listener.of("e2", "msg")).toHaveLength(1);
    expect(listener.of("e1", "msg")).toEqual([]);
  });

  it("markRead sends a receipt to the peer and to the reader's other devices; reading nothing new sends none", async () => {
    const ack = await sendText(api, "e3", "e1", "read me");
    listener.clear();
    const receipt = await api.node.messaging.markRead(api.appKey, p2pConversation("e1", "e3"), { reader: "e1", seq: ack.seq });
    expect(receipt).toEqual({ conv: "e1|e3", reader: "e1", seq: ack.seq, time: expect.any(Number) });
    await settle(api);
    expect(listener.of("e3", "receipt")).toEqual([{ ev: "receipt", ...receipt }]);
    expect(listener.of("e1", "receipt")).toEqual([{ ev: "receipt", ...receipt }]);
    listener.clear();
    // Past the newest message: clamped; before the current position: unchanged; neither is news.
    expect((await api.node.messaging.markRead(api.appKey, p2pConversation("e1", "e3"), { reader: "e1", seq: ack.seq + 50 })).seq).toBe(
      ack.seq,
    );
    expect((await api.node.messaging.markRead(api.appKey, p2pConversation("e1", "e3"), { reader: "e1", seq: 0 })).seq).toBe(ack.seq);
    await settle(api);
    expect(listener.of("e3")).toEqual([]);
  });

  it("a recall reaches both sides as a recall event", async () => {
    const ack = await sendText(api, "e2", "e3", "regret");
    listener.clear();
    const event = await api.node.messaging.recall(api.appKey, p2pConversation("e2", "e3"), { by: "e2", from: "e2", msgid: ack.msgid });
    await settle(api);
    expect(listener.of("e2")).toEqual([{ ev: "recall", ...event }]);
    expect(listener.of("e3")).toEqual([{ ev: "recall", ...event }]);
  });

  it("a system notification reaches the recipient's devices, stored or not", async () => {
    listener.clear();
    const online = await api.node.messaging.notify(api.appKey, { from: "e1", to: "e2", attach: '{"typing":true}', save: false });
    const stored = await api.node.messaging.notify(api.appKey, { from: "e1", to: "e2", attach: "kept", save: true });
    await settle(api);
    expect(listener.of("e2")).toEqual([
      { ev: "notification", ...online },
      { ev: "notification", ...stored },
    ]);
    expect(listener.of("e1")).toEqual([]);
  });
});
