import { connect as tcpConnect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { record, sleep, startGatewayNode, type GatewayNode } from "../gateway/support.ts";

/**
 * The HTTP port's deadlines, against a real node with short ones configured, over raw sockets:
 * a socket that never sends, one that trickles its headers or its body, and a kept-alive one that
 * goes quiet are all closed within their deadline; a device's upgraded WebSocket is not.
 */
const timeouts = { headersTimeoutMs: 600, requestTimeoutMs: 1200, keepAliveTimeoutMs: 500, idleTimeoutMs: 1000 };
/** The longest any of them may take to act, with Node's checking interval and a loaded machine. */
const SLACK_MS = 1500;

describe("HTTP: connections that are not WebSockets are not held", () => {
  let gw: GatewayNode;
  beforeAll(async () => {
    gw = await startGatewayNode({ pingIntervalMs: 60_000 }, { http: timeouts });
  });
  afterAll(async () => gw.close());

  /** A raw TCP connection to the node; resolves once connected. */
  function open(): Promise<{ socket: Socket; closed: Promise<number>; received: () => string }> {
    const [host, port] = gw.node.address.split(":") as [string, string];
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let data = "";
      const socket = tcpConnect({ host, port: Number(port) });
      const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now() - started)));
      socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
      socket.on("error", () => undefined); // a reset is one way of being closed
      socket.once("connect", () => resolve({ socket, closed, received: () => data }));
      socket.once("error", reject);
    });
  }

  /** Resolves with how long the socket lived, or with -1 if it is still open after `ms`. */
  function closedWithin(closed: Promise<number>, ms: number): Promise<number> {
    return Promise.race([closed, sleep(ms).then(() => -1)]);
  }

  /** Writes one byte every `everyMs` until the socket closes: never idle, never finished. */
  function trickle(socket: Socket, byte: string, everyMs: number): void {
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(byte)), everyMs);
    socket.once("close", () => clearInterval(timer));
  }

  it("closes a socket that never sends a byte", async () => {
    const { closed } = await open();
    const lived = await closedWithin(closed, timeouts.headersTimeoutMs + SLACK_MS);
    expect(lived).toBeGreaterThan(0);
  });

  it("closes a socket whose headers trickle in and never end, though it is never idle", async () => {
    const { socket, closed } = await open();
    socket.write("POST /nimserver/user/create.action HTTP/1.1\r\nHost: nimbus\r\nX-Slow: ");
    trickle(socket, "a", 100);
    const lived = await closedWithin(closed, timeouts.headersTimeoutMs + SLACK_MS);
    expect(lived).toBeGreaterThan(0);
  });

  it("closes a request whose body trickles in and never ends", async () => {
    const { socket, closed, received } = await open();
    socket.write("POST /nimserver/user/create.action HTTP/1.1\r\nHost: nimbus\r\nContent-Type: application/x-www-form-urlencoded\r\n");
    socket.write("Content-Length: 100000\r\n\r\naccid=");
    trickle(socket, "a", 100);
    const lived = await closedWithin(closed, timeouts.requestTimeoutMs + SLACK_MS);
    expect(lived).toBeGreaterThan(0);
    expect(received()).not.toMatch(/"code":200/);
  });

  it("closes a kept-alive connection that sends no next request", async () => {
    const { socket, closed, received } = await open();
    socket.write("GET /healthz HTTP/1.1\r\nHost: nimbus\r\nConnection: keep-alive\r\n\r\n");
    const lived = await closedWithin(closed, timeouts.keepAliveTimeoutMs + SLACK_MS);
    expect(received()).toMatch(/^HTTP\/1\.1 200/);
    expect(lived).toBeGreaterThan(0);
  });

  it("keeps serving a kept-alive connection that is not idle", async () => {
    const { socket, closed, received } = await open();
    for (let i = 0; i < 4; i++) {
      socket.write("GET /healthz HTTP/1.1\r\nHost: nimbus\r\n\r\n");
      await sleep(timeouts.keepAliveTimeoutMs / 2);
    }
    expect(received().match(/HTTP\/1\.1 200/g)).toHaveLength(4);
    expect(await closedWithin(closed, 0)).toBe(-1);
    socket.destroy();
  });

  it("leaves an upgraded WebSocket alone, silent for longer than every deadline", async () => {
    const token = await gw.createAccount("quietdevice");
    const device = await gw.device("quietdevice", token, "phone-1");
    const drops = record(device, "disconnected");
    // No pings (60 s interval) and nothing sent: only the HTTP deadlines could cut it.
    await sleep(timeouts.requestTimeoutMs + timeouts.idleTimeoutMs + SLACK_MS);
    expect(drops).toEqual([]);
    const online = await gw.call("user/userOnlineStatus", { accids: JSON.stringify(["quietdevice"]) });
    expect((online.data as { onlineStatusList: { statusList: unknown[] }[] }).onlineStatusList[0]?.statusList).toHaveLength(1);
    expect((await device.conversations()).length).toBe(0);
  });
});
