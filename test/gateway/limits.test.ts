import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { CloseCodes, NimbusClientError, Requests, type NimbusClient } from "nimbus/client";
import { NimbusError } from "../../src/protocol/errors.ts";
import { next, record, sleep, startGatewayNode, until, type GatewayNode } from "./support.ts";

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof NimbusClientError) return err.code;
    throw err;
  }
}

/** The raw socket under a client, to send what the SDK would never send. */
function rawSocket(client: NimbusClient): { send(data: Uint8Array): void } {
  return (client.room!.connection.transport as unknown as { ws: { send(data: Uint8Array): void } }).ws;
}

describe("gateway: frames, errors and limits", () => {
  let gw: GatewayNode;
  let token: string;
  beforeAll(async () => {
    gw = await startGatewayNode({ ratePerSecond: 5, rateBurst: 5, rateCloseAfterRefused: 30 });
    token = await gw.createAccount("lim");
    gw.node.gateway.handle("echo", (_device, body) => body);
    gw.node.gateway.handle("fail", (_device, body) => {
      if (body === "nim") throw new NimbusError("TEAM_NOT_FOUND", "no such team");
      throw new Error("secret internals");
    });
  });
  afterAll(async () => gw.close());

  /** A fresh device, after letting its rate bucket fill up. */
  async function device(id: string): Promise<NimbusClient> {
    const c = await gw.device("lim", token, id, { reconnect: { minDelayMs: 100, jitter: 0 } });
    await sleep(1100);
    return c;
  }

  it("carries a 5,000-character message (CJK, 15 KB of UTF-8) and answers errors with their NIM code", async () => {
    const c = await device("big");
    const text = "汉".repeat(5000);
    expect(await c.request("echo", { text })).toEqual({ text });
    expect(await codeOf(c.request("fail", "nim"))).toBe(803);
    const internal = await c.request("fail", "x").catch((e: NimbusClientError) => e);
    expect(internal).toMatchObject({ code: 500, message: "server internal error" });
  });

  it("answers an unknown message type with an error (509) and keeps the connection", async () => {
    const c = await device("unknown");
    const errors = record(c, "error");
    c.sendPlain("no-such-type", { a: 1 });
    await until(() => errors.length === 1, 2000, "the error frame");
    expect(errors[0]).toEqual({ code: 509, desc: 'unknown message type "no-such-type"' });
    expect(await codeOf(c.request("no-such-request", {}))).toBe(509);
    expect(c.state).toBe("connected");
    expect((await c.request<{ deviceId: string }>(Requests.SESSION)).deviceId).toBe("unknown");
  });

  it("refuses an oversize frame in the SDK (405); forced through, it closes only that socket (1009) and the device comes back", async () => {
    const c = await device("oversize");
    const other = await device("bystander");
    const huge = { blob: "x".repeat(70 * 1024) };
    expect(await codeOf(c.request("echo", huge))).toBe(405);
    expect(c.state).toBe("connected");

    const disconnected = next(c, "disconnected");
    const errors = record(c, "error");
    c.room!.send("echo", huge); // bypasses the SDK's check
    expect(await disconnected).toMatchObject({ code: CloseCodes.FRAME_TOO_LARGE, willReconnect: true });
    expect(errors).toEqual([{ code: 405, desc: "a frame exceeded the server's limit" }]);
    expect(await next(c, "reconnected", 5000)).toMatchObject({ resumed: true });
    expect(await c.request("echo", { ok: 1 })).toEqual({ ok: 1 });
    expect(await other.request("echo", { still: "here" })).toEqual({ still: "here" });
  });

  it("survives garbage bytes: unknown frame codes are ignored, undecodable bodies close only that socket", async () => {
    const c = await device("garbage");
    const ws = rawSocket(c);
    ws.send(new Uint8Array([0xff, 0x01, 0x02, 0x03]));
    ws.send(new Uint8Array([]));
    // ROOM_REQUEST with a valid type but a broken msgpack body: an error reply to request 0 (nobody waits).
    ws.send(new Uint8Array([21, 0x00, 0xa4, 0x65, 0x63, 0x68, 0x6f, 0xd9, 0x10]));
    await sleep(200);
    expect(c.state).toBe("connected");
    expect(await c.request("echo", 1)).toBe(1);

    // ROOM_DATA with a broken body: Colyseus closes the socket (4002); the SDK resumes.
    const disconnected = next(c, "disconnected");
    rawSocket(c).send(new Uint8Array([13, 0xa4, 0x65, 0x63, 0x68, 0x6f, 0xd9, 0x10]));
    expect((await disconnected).code).toBe(CloseCodes.PROTOCOL_ERROR);
    expect(await next(c, "reconnected", 5000)).toMatchObject({ resumed: true });
    const fresh = await gw.device("lim", token, "after-garbage");
    expect((await fresh.request<{ deviceId: string }>(Requests.SESSION)).deviceId).toBe("after-garbage");
  });

  it("answers frames past the connection's rate with 416, and disconnects a device that keeps flooding", async () => {
    const c = await device("flood");
    const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => codeOf(c.request("echo", i))));
    // A burst of 5, plus at most one token refilled while the ten frames were on their way.
    const ok = codes.filter((x) => x === 200).length;
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(6);
    expect(codes.filter((x) => x === 416).length).toBe(10 - ok);
    const errors = record(c, "error");
    c.sendPlain("echo", "plain message over the limit");
    await until(() => errors.length === 1, 2000, "a 416 error frame");
    expect(errors[0]!.code).toBe(416);

    const disconnected = next(c, "disconnected");
    for (let i = 0; i < 40; i++) c.sendPlain("echo", i);
    expect((await disconnected).code).toBe(CloseCodes.RATE_LIMITED);
    expect(errors.some((e) => e.code === 416 && /disconnect/.test(e.desc))).toBe(true);
    // A flooder's session is not resumable: it comes back with a fresh login.
    expect(await next(c, "reconnected", 5000)).toMatchObject({ resumed: false });
  });
});
