import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Client as ColyseusClient, MatchMakeError } from "@colyseus/sdk";
import { connect, NimbusClientError, Requests, type SessionInfo } from "nimbus/client";
import { startGatewayNode, type GatewayNode } from "./support.ts";

describe("gateway: login", () => {
  let gw: GatewayNode;
  let token: string;
  beforeAll(async () => {
    gw = await startGatewayNode();
    token = await gw.createAccount("Alice");
  });
  afterAll(async () => gw.close());

  async function refused(options: Record<string, unknown>): Promise<NimbusClientError> {
    const base = { url: gw.url, appKey: gw.appKey, accid: "alice", token, deviceId: "d1", clientType: "WEB" };
    try {
      await connect({ ...base, ...options } as Parameters<typeof connect>[0]);
    } catch (err) {
      expect(err).toBeInstanceOf(NimbusClientError);
      return err as NimbusClientError;
    }
    throw new Error("login was accepted");
  }

  it("logs a device in, welcomes it, and answers the session request", async () => {
    const client = await gw.device("ALICE", token, "phone-1", { clientType: "IOS" });
    expect(client.state).toBe("connected");
    expect(client.session).toMatchObject({
      appKey: gw.appKey,
      accid: "alice",
      deviceId: "phone-1",
      clientType: "IOS",
      nodeId: gw.node.nodeId,
    });
    expect(client.limits).toMatchObject({ maxFrameBytes: 64 * 1024, resumeWindowMs: 20_000 });
    const session = await client.request<SessionInfo>(Requests.SESSION);
    expect(session).toEqual(client.session);
    expect(gw.node.gateway.localDevices(gw.appKey, "alice").map((d) => d.deviceId)).toEqual(["phone-1"]);
    await client.logout();
    expect(client.state).toBe("closed");
    expect(gw.node.gateway.localDevices(gw.appKey, "alice")).toEqual([]);
  });

  it("refuses a wrong token with 302", async () => {
    const err = await refused({ token: "not-the-token" });
    expect(err.code).toBe(302);
    expect(err.message).toMatch(/wrong token/);
  });

  it("refuses an unknown account with 404", async () => {
    const err = await refused({ accid: "nobody" });
    expect(err.code).toBe(404);
    expect(err.message).toMatch(/does not exist/);
  });

  it("refuses a blocked account with 422, and a wrong token on it still with 302", async () => {
    const t = await gw.createAccount("blocked1");
    expect((await gw.call("user/block", { accid: "blocked1" })).code).toBe(200);
    const err = await refused({ accid: "blocked1", token: t });
    expect(err.code).toBe(422);
    expect(err.message).toMatch(/blocked/);
    expect((await refused({ accid: "blocked1", token: "wrong" })).code).toBe(302);
  });

  it("refuses an unknown app with 403 and malformed options with 414, naming the field", async () => {
    expect((await refused({ appKey: "no-such-app" })).code).toBe(403);
    const bad = await refused({ clientType: "TOASTER" });
    expect(bad.code).toBe(414);
    expect(bad.message).toMatch(/clientType: must be one of AOS, IOS, PC, WEB, MAC, HARMONY/);
    expect((await refused({ deviceId: "" })).code).toBe(414);
    expect((await refused({ accid: "bad accid!" })).code).toBe(414);
    // The login event log's two optional fields.
    expect((await refused({ sdkVersion: "9".repeat(65) })).message).toMatch(/sdkVersion: too long/);
    expect((await refused({ customTag: 7 as unknown as string })).message).toMatch(/customTag: must be a string/);
  });

  it("gives a plain Colyseus SDK an HTTP status meaning the same as the NIM code (302 travels as 401)", async () => {
    const sdk = new ColyseusClient(gw.url);
    const codeOf = async (opts: object) =>
      sdk.joinOrCreate("im", { appKey: gw.appKey, accid: "alice", token, deviceId: "x", clientType: "PC", ...opts }).then(
        () => 200,
        (e: MatchMakeError) => e.code,
      );
    expect(await codeOf({ accid: "nobody" })).toBe(404);
    expect(await codeOf({ token: "wrong" })).toBe(401);
    const res = await fetch(`${gw.url}/matchmake/joinOrCreate/im`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appKey: gw.appKey, accid: "alice", token: "wrong", deviceId: "x", clientType: "PC" }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 302, error: "wrong token for this account" });
  });

  it("names the node's public address in the seat, so the WebSocket reaches the node holding it", async () => {
    const other = await startGatewayNode({}, { publicAddress: "n7.devices.example:443" });
    try {
      const t = await other.createAccount("pub");
      const res = await fetch(`${other.url}/matchmake/joinOrCreate/im`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ appKey: other.appKey, accid: "pub", token: t, deviceId: "x", clientType: "PC" }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ name: "im", publicAddress: "n7.devices.example:443" });
    } finally {
      await other.close();
    }
  });

  it("serves the REST API and the realtime link on the same port", async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const client = await gw.device("alice", token, "same-port");
    const ws = new URL(client.room!.connection.url!);
    expect(ws.protocol).toBe("ws:");
    expect(ws.port).toBe(new URL(gw.url).port);
    expect(ws.pathname).toMatch(/^\/[\w-]+\/[\w-]+$/); // /<processId>/<roomId>
    await client.logout();
  });
});
