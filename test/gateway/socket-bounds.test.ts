import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Socket } from "node:net";
import { WebSocket } from "ws";
import { CloseCodes, ROOM_NAME } from "nimbus/client";
import { startGatewayNode, until, type GatewayNode } from "./support.ts";

/** Colyseus frame codes: the server's JOIN_ROOM, and the device's acknowledgement of it. */
const JOIN_ROOM = 10;
const JOIN_BUDGET_MS = 1000;
const OUTGOING_BUDGET = 256 * 1024;

interface RawDevice {
  ws: WebSocket;
  /** Resolves with the close code. */
  closed: Promise<number>;
  /** Resolves when the server's JOIN_ROOM has arrived (onJoin has run). */
  joinOffered: Promise<void>;
}

/**
 * A device that speaks the protocol by hand: logs in over the matchmake route, then opens the
 * seat's WebSocket and does only what the test tells it to.
 */
async function rawDevice(gw: GatewayNode, accid: string, token: string, deviceId: string): Promise<RawDevice> {
  const res = await fetch(`${gw.url}/matchmake/joinOrCreate/${ROOM_NAME}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ appKey: gw.appKey, accid, token, deviceId, clientType: "WEB" }),
  });
  expect(res.status).toBe(200);
  const seat = (await res.json()) as { sessionId: string; roomId: string; processId: string };
  const ws = new WebSocket(`${gw.url.replace("http", "ws")}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`);
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  const joinOffered = new Promise<void>((resolve) =>
    ws.on("message", (data: Buffer) => {
      if (data[0] === JOIN_ROOM) resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, closed, joinOffered };
}

type Status = { code: number; data: { onlineStatusList: { statusList: unknown[] }[] } };

/** How many devices `user/userOnlineStatus` reports for the account. */
async function onlineCount(gw: GatewayNode, accid: string): Promise<number> {
  const res = (await gw.call("user/userOnlineStatus", { accids: JSON.stringify([accid]) })) as unknown as Status;
  expect(res.code).toBe(200);
  return res.data.onlineStatusList[0]?.statusList.length ?? 0;
}

/** Pushes `count` frames of about `bytes` each to the account's devices here, yielding now and then. */
async function pushMany(gw: GatewayNode, accid: string, count: number, bytes: number): Promise<number> {
  const body = { blob: "x".repeat(bytes) };
  let delivered = 0;
  for (let i = 0; i < count; i++) {
    delivered += gw.node.gateway.pushLocal(gw.appKey, accid, "bulk", body);
    if (i % 200 === 199) await new Promise((r) => setImmediate(r));
  }
  return delivered;
}

describe("gateway: sockets that never join and devices that stop reading", () => {
  let gw: GatewayNode;
  beforeAll(async () => {
    gw = await startGatewayNode({ joinTimeoutMs: JOIN_BUDGET_MS, outgoingBufferBytes: OUTGOING_BUDGET });
  });
  afterAll(async () => gw.close());

  it("closes a seat whose socket never acknowledges the join (4408), and never counts it online", async () => {
    const token = await gw.createAccount("idler");
    const opened = Date.now();
    const idle = await rawDevice(gw, "idler", token, "idle-1");
    await idle.joinOffered;
    // The socket is open and holds the seat, yet the account is not online, here or in the registry.
    expect(gw.node.gateway.stats().sockets).toBeGreaterThan(0);
    expect(await onlineCount(gw, "idler")).toBe(0);
    expect(gw.node.gateway.localDevices(gw.appKey, "idler")).toEqual([]);

    expect(await idle.closed).toBe(CloseCodes.JOIN_TIMEOUT);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(JOIN_BUDGET_MS - 50);
    expect(await onlineCount(gw, "idler")).toBe(0);
    expect(gw.node.gateway.stats().devices).toBe(0);

    // The same steps with the acknowledgement do make the device online, and it stays past the deadline.
    const joined = await rawDevice(gw, "idler", token, "idle-2");
    await joined.joinOffered;
    joined.ws.send(Uint8Array.of(JOIN_ROOM));
    await until(async () => (await onlineCount(gw, "idler")) === 1, 5000, "the acknowledged device online");
    await new Promise((r) => setTimeout(r, JOIN_BUDGET_MS + 200));
    expect(joined.ws.readyState).toBe(WebSocket.OPEN);
    expect(gw.node.gateway.localDevices(gw.appKey, "idler").map((d) => d.deviceId)).toEqual(["idle-2"]);
    joined.ws.close();
  });

  it("closes a socket that has not joined once the pushes queued for it pass the budget (4415)", async () => {
    const token = await gw.createAccount("hoarder");
    const device = await rawDevice(gw, "hoarder", token, "h-1");
    await device.joinOffered;
    // 64 pushes of 8 KB: twice the budget, well before the join deadline.
    const delivered = await pushMany(gw, "hoarder", 64, 8 * 1024);
    expect(delivered).toBeLessThan(64);
    expect(await device.closed).toBe(CloseCodes.SLOW_CONSUMER);
    expect(await onlineCount(gw, "hoarder")).toBe(0);
  });

  it("closes a joined device that stops reading once its unsent bytes pass the budget (4415), and the node's memory stays flat", async () => {
    const token = await gw.createAccount("sleeper");
    const device = await rawDevice(gw, "sleeper", token, "s-1");
    await device.joinOffered;
    device.ws.send(Uint8Array.of(JOIN_ROOM));
    await until(async () => (await onlineCount(gw, "sleeper")) === 1, 5000, "the device online");

    // The device stops reading: the kernel's buffers fill first, then the node's.
    const socket = (device.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const rssBefore = process.memoryUsage().rss;
    // 20,000 pushes of 4 KB (80 MB), as in the attack run; without a budget all of it stays in the node.
    const delivered = await pushMany(gw, "sleeper", 20_000, 4 * 1024);
    const grew = process.memoryUsage().rss - rssBefore;

    // Delivered until the kernel's buffers and the budget were full (a few MB), then the session ended.
    expect(delivered).toBeGreaterThan(0);
    expect(delivered * 4 * 1024).toBeLessThan(40 * 1024 * 1024);
    expect(gw.node.gateway.localDevices(gw.appKey, "sleeper")).toEqual([]);
    expect(grew).toBeLessThan(40 * 1024 * 1024);
    await until(async () => (await onlineCount(gw, "sleeper")) === 0, 5000, "the device offline");

    // Reading again, the device gets what was sent before the budget ran out, then the close code.
    socket.resume();
    expect(await device.closed).toBe(CloseCodes.SLOW_CONSUMER);
  });
});
