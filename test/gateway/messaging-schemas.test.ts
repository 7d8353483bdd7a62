import { describe, it, expect } from "vitest";
import {
  checkDeviceSend,
  conversationsSchema,
  historySchema,
  markReadSchema,
  notifySchema,
  parseBody,
  recallSchema,
  checkOwnCursors,
  syncSchema,
} from "../../src/gateway/messaging-schemas.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { checkMessageInput } from "../../src/messaging/validate.ts";
import { P2pPolicy } from "../../src/messaging/p2p-policy.ts";
import { p2pConversation } from "../../src/conversation/ref.ts";
import type { ActorSystem } from "../../src/runtime/system.ts";

/** What the service does with a device's send before anything is asked: the message, then its conversation. */
function checkSend(d: ReturnType<typeof checkDeviceSend>, extra: Record<string, unknown> = {}) {
  const { to, ...message } = d;
  const input = checkMessageInput({ ...message, from: "alice", ...extra });
  // requireParty asks nothing: the policy's actor system is never reached here.
  new P2pPolicy(undefined as unknown as ActorSystem).requireParty(
    p2pConversation("alice", to.toLowerCase()),
    "alice",
    "to",
    "must not be the sender",
  );
  return input;
}

/** The 414 text a body gets, or "ok". */
function refusal(run: () => unknown): string {
  try {
    run();
    return "ok";
  } catch (err) {
    if (err instanceof NimbusError && err.code === 414) return err.message;
    throw err;
  }
}

describe("gateway messaging request bodies", () => {
  // The gateway checks a send's envelope; the service checks the values (once, for devices and REST alike).
  const send = (b: unknown) => refusal(() => checkSend(checkDeviceSend(b), { fromClientType: "WEB", fromDeviceId: "d1" }));

  it("send: fields, types and NIM's lengths, each refusal naming its field", () => {
    const ok = { to: "Bob", type: 0, body: { msg: "hi" }, clientMsgId: "c1" };
    expect(checkDeviceSend(ok)).toEqual(ok);
    const { to: _to, ...message } = ok;
    expect(checkSend(checkDeviceSend(ok))).toEqual({ ...message, from: "alice" });
    expect(send({ ...ok, ext: null, option: null })).toBe("ok"); // nil from other SDKs = absent
    expect(checkDeviceSend({ ...ok, ext: null, option: null })).toEqual(ok);
    expect(send(undefined)).toBe("send: not an object");
    expect(send({ ...ok, to: 7 })).toBe("to: required");
    expect(send({ ...ok, to: "no spaces" })).toMatch(/^to: /);
    expect(send({ ...ok, type: "0" })).toBe("type: must be a number");
    expect(send({ ...ok, type: 7 })).toMatch(/^type: must be one of 0, 1, 2, 3, 4, 6, 10, 100/);
    expect(send({ ...ok, body: [1] })).toMatch(/^body: /);
    expect(send({ ...ok, body: "hi" })).toMatch(/^body: /);
    expect(send({ ...ok, body: { msg: "x".repeat(5000) } })).toBe("body: too long: at most 5000 characters as JSON");
    expect(send({ ...ok, ext: "x".repeat(1025) })).toBe("ext: too long: at most 1024 characters");
    expect(send({ ...ok, ext: 5 })).toBe("ext: must be a string");
    expect(send({ ...ok, option: { roam: "yes" } })).toMatch(/^option\.roam: must be true or false/);
    expect(send({ ...ok, option: [true] })).toBe("option: must be an object");
    expect(send({ ...ok, clientMsgId: undefined })).toBe("clientMsgId: required");
    expect(send({ ...ok, clientMsgId: "" })).toBe("clientMsgId: required");
    expect(send({ ...ok, clientMsgId: "x".repeat(129) })).toBe("clientMsgId: too long: at most 128 characters");
  });

  it("recall, markRead, conversations, notify", () => {
    expect(refusal(() => parseBody(recallSchema, { peer: "bob", msgid: 0 }, "recall"))).toBe("msgid: must be at least 1");
    expect(refusal(() => parseBody(recallSchema, { peer: "bob", msgid: 1200510468189 }, "recall"))).toBe("ok");
    expect(refusal(() => parseBody(markReadSchema, { peer: "bob", seq: 1.5 }, "markRead"))).toBe("seq: must be an integer");
    expect(refusal(() => parseBody(markReadSchema, { seq: 1 }, "markRead"))).toBe("peer: required");
    expect(parseBody(conversationsSchema, undefined, "conversations")).toEqual({});
    expect(refusal(() => parseBody(conversationsSchema, { limit: 0 }, "conversations"))).toBe("limit: must be at least 1");
    expect(refusal(() => parseBody(notifySchema, { to: "bob", attach: "" }, "notify"))).toBe("attach: required");
    expect(refusal(() => parseBody(notifySchema, { to: "bob", attach: "x".repeat(4097) }, "notify"))).toBe(
      "attach: too long: at most 4096 characters",
    );
  });

  it("history: limit 1..100, an order, bounds in order", () => {
    const h = (b: object) => refusal(() => parseBody(historySchema, { peer: "bob", limit: 10, order: "asc", ...b }, "history"));
    expect(h({})).toBe("ok");
    expect(h({ limit: 101 })).toBe("limit: must be at most 100");
    expect(h({ order: "up" })).toBe('order: must be "asc" or "desc"');
    expect(h({ fromSeq: 5, toSeq: 4 })).toBe("toSeq: must not be below fromSeq");
    expect(h({ fromTime: 5, toTime: 4 })).toBe("toTime: must not be below fromTime");
    expect(h({ types: [0, 100] })).toBe("ok");
    expect(h({ types: [5] })).toMatch(/^types\.0: must be one of/);
    expect(refusal(() => parseBody(historySchema, { peer: "bob" }, "history"))).toBe("limit: required");
  });

  it("sync: cursors only for this account's own conversations", () => {
    const s = (b: unknown) =>
      refusal(() => {
        checkOwnCursors("alice", parseBody(syncSchema, b, "sync").cursors);
      });
    expect(s(undefined)).toBe("ok");
    expect(s({ cursors: { "alice|bob": 3, "aaron|alice": 0 }, notificationCursor: 2 })).toBe("ok");
    expect(s({ cursors: { "bob|carol": 3 } })).toMatch(/^cursors\.bob\|carol: not a conversation of this account/);
    expect(s({ cursors: { "bob|alice": 3 } })).toMatch(/^cursors\.bob\|alice: /); // not sorted
    expect(s({ cursors: { "alice|bob": -1 } })).toBe("cursors.alice|bob: must be at least 0");
    expect(s({ notificationCursor: "1" })).toMatch(/^notificationCursor: /);
  });
});
