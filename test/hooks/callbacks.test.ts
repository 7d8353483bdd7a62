import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connect, NimbusClientError } from "nimbus/client";
import { p2pConversation } from "../../src/conversation/ref.ts";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser } from "../support/users.ts";
import { restSendText } from "../support/messaging.ts";
import { AppServer, type Answer, type AppServerRequest } from "../support/app-server.ts";
import { waitUntil } from "../support/actor-system.ts";
import type { MessageInput } from "../../src/protocol/messages.ts";

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "number") return code;
    throw err;
  }
}

describe("callbacks to a real app server", () => {
  let app: AppServer;
  let allowing: ApiNode;
  let denying: ApiNode;
  let callbackAnswer: (r: AppServerRequest) => Answer;

  beforeAll(async () => {
    app = new AppServer();
    app.answer = (r) => (r.path.startsWith("/cb") ? callbackAnswer(r) : { status: 200, body: {} });
    await app.start();
    const hooks = (onFailure: "allow" | "deny") => ({
      // Under 1500 ms, the delay the timeout test answers with; the allowing app's is long enough for
      // the order test to hold a callback open while another conversation sends.
      callback: { url: app.url(`/cb-${onFailure}`), timeoutMs: onFailure === "allow" ? 1000 : 300, onFailure },
      dataSync: { url: app.url(`/sync-${onFailure}`) },
    });
    allowing = await startApiNode({ backend: "sqlite", app: { hooks: hooks("allow") } });
    denying = await startApiNode({ backend: "sqlite", app: { hooks: hooks("deny") } });
    for (const api of [allowing, denying]) {
      app.secrets.set(api.appKey, api.appSecret);
      for (const u of ["al", "bo"]) await createUser(api, u);
    }
  });
  afterAll(async () => {
    await allowing?.close();
    await denying?.close();
    await app?.stop();
  });
  beforeEach(() => {
    callbackAnswer = () => ({ body: { errCode: 0 } });
  });

  /** A send as the gateway makes it for a device. */
  function deviceSend(api: ApiNode, msg: string, extra: Partial<MessageInput> = {}) {
    return api.node.messaging.send(api.appKey, p2pConversation("al", "bo"), {
      from: "al",
      type: 0,
      body: { msg },
      fromClientType: "AOS",
      fromDeviceId: "al-phone",
      ...extra,
    });
  }

  const history = async (api: ApiNode) =>
    (await api.node.messaging.history(api.appKey, { accid: "al", conv: p2pConversation("al", "bo"), limit: 100, order: "asc" })).map(
      (m) => m.body.msg ?? m.body,
    );

  it("calls back a device's send with the message's fields and a valid signature, and passes callbackExt back in the ack", async () => {
    callbackAnswer = () => ({ body: { errCode: 0, callbackExt: "checked" } });
    const before = app.requests.length;
    const ack = await deviceSend(allowing, "hello", { ext: "x" });
    expect(ack.callbackExt).toBe("checked");
    const [call] = app.requests.slice(before).filter((r) => r.path === "/cb-allow");
    expect(call!.signed).toBe(true);
    expect(call!.headers.AppKey).toBe(allowing.appKey);
    expect(call!.body).toEqual({
      eventType: "1",
      convType: "PERSON",
      fromAccount: "al",
      to: "bo",
      msgType: "TEXT",
      body: "hello",
      ext: "x",
      msgidClient: ack.clientMsgId,
      fromClientType: "AOS",
      fromDeviceId: "al-phone",
      msgTimestamp: expect.any(String),
    });
  });

  it("never calls back a send made through the server API", async () => {
    const before = app.requests.filter((r) => r.path === "/cb-allow").length;
    expect(await restSendText(allowing, "al", "bo", "from the app server")).toMatchObject({ code: 200 });
    expect(app.requests.filter((r) => r.path === "/cb-allow").length).toBe(before);
  });

  it("refuses with 403, or the app's responseCode, and stores nothing", async () => {
    callbackAnswer = () => ({ body: { errCode: 1 } });
    expect(await codeOf(deviceSend(allowing, "spam 1"))).toBe(403);
    callbackAnswer = () => ({ body: { errCode: 1, responseCode: 20001, callbackExt: "banned word" } });
    const refused = await deviceSend(allowing, "spam 2").catch((e: unknown) => e as Error & { code: number });
    expect(refused).toMatchObject({ code: 20001 });
    expect(String((refused as Error).message)).toContain("banned word");
    expect(await history(allowing)).not.toContain("spam 1");
    expect(await history(allowing)).not.toContain("spam 2");
  });

  it("stores the message as the app server's modifyResponse left it (an object or a JSON string)", async () => {
    callbackAnswer = () => ({ body: { errCode: 0, modifyResponse: { body: "h*llo", ext: "cleaned" } } });
    const a = await deviceSend(allowing, "hello world");
    callbackAnswer = () => ({ body: { errCode: 0, modifyResponse: JSON.stringify({ attach: { card: 8 } }) } });
    const b = await deviceSend(allowing, "", { type: 100, body: { card: 1 } });
    const msgs = await allowing.node.messaging.history(allowing.appKey, {
      accid: "al",
      conv: p2pConversation("al", "bo"),
      limit: 100,
      order: "desc",
    });
    expect(msgs.find((m) => m.msgid === a.msgid)).toMatchObject({ body: { msg: "h*llo" }, ext: "cleaned" });
    expect(msgs.find((m) => m.msgid === b.msgid)).toMatchObject({ body: { card: 8 } });
  });

  it("on a timeout allows or denies by onFailure, and reports data sync 83 with reason 1", async () => {
    callbackAnswer = () => ({ delayMs: 1500, body: { errCode: 1 } });
    const ack = await deviceSend(allowing, "slow but allowed");
    expect(ack.seq).toBeGreaterThan(0);
    expect(await codeOf(deviceSend(denying, "slow and denied"))).toBe(403);
    expect(await history(denying)).not.toContain("slow and denied");
    for (const [path, api] of [
      ["/sync-allow", allowing],
      ["/sync-deny", denying],
    ] as const) {
      await waitUntil(() => app.events(path, "83").some((r) => String(r.body.callbackBody).includes("slow")), 10_000, `83 at ${path}`);
      const failed = app.events(path, "83").find((r) => String(r.body.callbackBody).includes("slow"))!;
      expect(failed.signed).toBe(true);
      expect(failed.headers.AppKey).toBe(api.appKey);
      expect(failed.body).toMatchObject({ eventType: "83", reason: "1", timestamp: expect.any(String) });
      expect(JSON.parse(String(failed.body.callbackBody))).toMatchObject({ eventType: "1", fromAccount: "al" });
    }
  });

  it("takes a garbage answer or a non-200 for a failure (83 with reason 2)", async () => {
    for (const answer of [
      { body: "<html>oops</html>" },
      { body: { errCode: "maybe" } },
      { status: 500, body: { errCode: 0 } },
    ] as Answer[]) {
      callbackAnswer = () => answer;
      expect(await codeOf(deviceSend(denying, "garbage"))).toBe(403);
    }
    callbackAnswer = () => ({ body: "not json" });
    expect((await deviceSend(allowing, "garbage allowed")).seq).toBeGreaterThan(0);
    await waitUntil(() => app.events("/sync-deny", "83").filter((r) => r.body.reason === "2").length >= 3, 10_000, "three 83s");
    await waitUntil(() => app.events("/sync-allow", "83").some((r) => r.body.reason === "2"), 10_000, "an 83 for the allowing app");
  });

  it("takes a modifyResponse of the wrong shape for a bad answer: the failure policy decides and 83 reports it", async () => {
    callbackAnswer = () => ({ body: { errCode: 0, modifyResponse: { body: 5 } } });
    expect(await codeOf(deviceSend(denying, "badly modified"))).toBe(403);
    const kept = await deviceSend(allowing, "kept as sent");
    const msgs = await allowing.node.messaging.history(allowing.appKey, {
      accid: "al",
      conv: p2pConversation("al", "bo"),
      limit: 10,
      order: "desc",
    });
    expect(msgs.find((m) => m.msgid === kept.msgid)?.body).toEqual({ msg: "kept as sent" });
    await waitUntil(
      () => app.events("/sync-deny", "83").some((r) => r.body.reason === "2" && String(r.body.callbackBody).includes("badly modified")),
      10_000,
      "83 for the bad modification",
    );
  });

  it("keeps a sender's messages in order while each waits for its callback, and other conversations do not wait", async () => {
    await createUser(allowing, "cy");
    // The first message's callback is answered only once the other conversation's send is done;
    // every other callback at once.
    let otherSent!: () => void;
    const gate = new Promise<void>((resolve) => (otherSent = resolve));
    callbackAnswer = (r) => (r.body.body === "first" ? { until: gate, body: { errCode: 0 } } : { body: { errCode: 0 } });
    let slowSettled = false;
    const slow = deviceSend(allowing, "first").finally(() => (slowSettled = true));
    const quick = deviceSend(allowing, "second");
    const other = await allowing.node.messaging.send(allowing.appKey, p2pConversation("cy", "bo"), {
      from: "cy",
      type: 0,
      body: { msg: "elsewhere" },
      fromDeviceId: "cy-1",
    });
    // Sent while the first conversation's callback was still held open.
    expect(other.seq).toBeGreaterThan(0);
    expect(slowSettled).toBe(false);
    otherSent();
    const [a, b] = await Promise.all([slow, quick]);
    // "second" was answered long before "first" but waited for it: the sender's order holds.
    expect(b.seq).toBe(a.seq + 1);
  });

  it("calls back a device's recall (35) and refuses it when the app server says so", async () => {
    const ack = await deviceSend(allowing, "to recall");
    callbackAnswer = (r) => (r.body.eventType === "35" ? { body: { errCode: 1 } } : { body: { errCode: 0 } });
    const conv = p2pConversation("al", "bo");
    expect(await codeOf(allowing.node.messaging.recall(allowing.appKey, conv, { by: "al", from: "al", msgid: ack.msgid }))).toBe(403);
    const call = app.events("/cb-allow", "35").at(-1)!;
    expect(call.body).toMatchObject({ eventType: "35", fromAccount: "al", to: "bo", msgidServer: String(ack.msgid) });
    callbackAnswer = () => ({ body: { errCode: 0 } });
    await allowing.node.messaging.recall(allowing.appKey, conv, { by: "al", from: "al", msgid: ack.msgid });
  });

  it("calls back a login (36); a refusal is 302 to the device", async () => {
    const { token } = await createUser(allowing, "lo");
    callbackAnswer = (r) => (r.body.eventType === "36" ? { body: { errCode: 1 } } : { body: { errCode: 0 } });
    const refused = await connect({
      url: allowing.url,
      appKey: allowing.appKey,
      accid: "lo",
      token,
      deviceId: "lo-1",
      clientType: "IOS",
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NimbusClientError);
    expect((refused as NimbusClientError).code).toBe(302);
    const call = app.events("/cb-allow", "36").at(-1)!;
    expect(call.signed).toBe(true);
    expect(call.body).toMatchObject({
      eventType: "36",
      fromAccount: "lo",
      fromClientType: "IOS",
      fromDeviceId: "lo-1",
      timestamp: expect.any(String),
    });
    callbackAnswer = () => ({ body: { errCode: 0 } });
    const device = await connect({ url: allowing.url, appKey: allowing.appKey, accid: "lo", token, deviceId: "lo-1", clientType: "IOS" });
    await device.logout();
  });
});
