import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "nimbus/client";
import { LeanClientError, LeanDevice } from "../../bench/lib/lean-client.ts";
import { next, startGatewayNode, until, type GatewayNode } from "../gateway/support.ts";

// The bench's lean device must speak the SDK's wire exactly, or the benchmarks measure something
// else: it logs in, sends and receives against a real node, beside SDK devices.
describe("bench lean client", () => {
  let gw: GatewayNode;
  const agent = new Agent({ keepAlive: true });
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    gw = await startGatewayNode({ ratePerSecond: 10_000, rateBurst: 10_000 });
    for (const accid of ["lean-a", "lean-b", "lean-c", "lean-d"]) tokens.set(accid, await gw.createAccount(accid));
  });
  afterAll(async () => {
    agent.destroy();
    await gw?.close();
  });

  function login(accid: string, onMessage: (m: Message) => void = () => undefined, token = tokens.get(accid)!): Promise<LeanDevice> {
    return LeanDevice.login({ url: gw.url, agent, appKey: gw.appKey, accid, token, deviceId: `d-${accid}`, clientType: "WEB", onMessage });
  }

  it("exchanges messages with an SDK device, in order, with the SDK's acks", async () => {
    const gotByLean: Message[] = [];
    const lean = await login("lean-a", (m) => gotByLean.push(m));
    const sdk = await gw.device("lean-b", tokens.get("lean-b")!, "d-lean-b");

    const acks = [];
    for (let i = 1; i <= 5; i++) acks.push(await lean.sendText("lean-b", `to sdk ${i}`, `lean-a-${i}`));
    expect(acks.map((a) => (a as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
    const history = await sdk.history("lean-a");
    expect(history.map((m) => (m.body as { msg: string }).msg).reverse()).toEqual([1, 2, 3, 4, 5].map((i) => `to sdk ${i}`));

    const pushed = next(sdk, "message");
    await lean.sendText("lean-b", "one more", "lean-a-6");
    expect(await pushed).toMatchObject({ from: "lean-a", to: "lean-b", seq: 6, body: { msg: "one more" } });

    await sdk.sendText("lean-a", "back to lean");
    await until(() => gotByLean.length === 1, 5000, "the lean device's push");
    expect(gotByLean[0]).toMatchObject({ from: "lean-b", to: "lean-a", seq: 7, body: { msg: "back to lean" } });
    lean.close();
  });

  it("answers a resend of the same clientMsgId with the first ack", async () => {
    const lean = await login("lean-c");
    const first = (await lean.sendText("lean-a", "once", "same-id")) as { msgid: number; seq: number };
    const again = (await lean.sendText("lean-a", "once", "same-id")) as { msgid: number; seq: number; duplicate?: boolean };
    expect(again).toMatchObject({ msgid: first.msgid, seq: first.seq, duplicate: true });
    lean.close();
  });

  it("keeps request ids straight beyond 255 (Colyseus header numbers are little-endian)", async () => {
    const got: Message[] = [];
    const receiver = await login("lean-d", (m) => got.push(m));
    const sender = await login("lean-c");
    const n = 700; // ids 256 and 512 are where a big-endian reader goes wrong
    const acks = (await Promise.all(Array.from({ length: n }, (_, i) => sender.sendText("lean-d", `m${i}`, `id-${i}`)))) as {
      clientMsgId: string;
    }[];
    expect(acks.map((a) => a.clientMsgId)).toEqual(Array.from({ length: n }, (_, i) => `id-${i}`));
    await until(() => got.length === n, 10_000, "every push");
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    sender.close();
    receiver.close();
  });

  it("gets the server's NIM codes for a refused login and a refused send", async () => {
    await expect(login("lean-a", undefined, "not-the-token")).rejects.toMatchObject({ name: "LeanClientError", code: 302 });
    const lean = await login("lean-a");
    const refused = lean.sendText("no-such-account", "hello", "x-1");
    await expect(refused).rejects.toBeInstanceOf(LeanClientError);
    await expect(refused).rejects.toMatchObject({ code: 404 });
    lean.close();
  });
});
