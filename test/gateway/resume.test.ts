import { describe, it, expect, afterEach } from "vitest";
import { CloseCodes, KickReason } from "nimbus/client";
import type { OfflineReason } from "../../src/gateway/mod.ts";
import { dropSocket, next, record, sleep, startGatewayNode, until, type GatewayNode } from "./support.ts";

describe("gateway: dropped connections", () => {
  let gw: GatewayNode | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  const stateOf = (g: GatewayNode, accid: string, deviceId: string) =>
    g.node.gateway.localDevices(g.appKey, accid).find((d) => d.deviceId === deviceId)?.state;

  it("resumes the same session inside the window and delivers, in order, what was pushed meanwhile", async () => {
    gw = await startGatewayNode({ resumeWindowMs: 20_000 });
    const token = await gw.createAccount("ann");
    const offline: OfflineReason[] = [];
    gw.node.gateway.onDeviceOffline((_d, r) => void offline.push(r));
    const c = await gw.device("ann", token, "a1", { reconnect: { minDelayMs: 1000, jitter: 0 } });
    const sessionId = c.session.sessionId;
    const events = record(c, "event");
    const disconnected = next(c, "disconnected");

    dropSocket(c);
    expect(await disconnected).toMatchObject({ code: 1006, willReconnect: true });
    const g = gw;
    await until(() => stateOf(g, "ann", "a1") === "resuming", 2000, "the server to see the drop");
    for (let i = 1; i <= 3; i++) gw.publish("ann", { ev: "msg", seq: i });

    expect(await next(c, "reconnected", 5000)).toMatchObject({ resumed: true, lost: 0 });
    expect(c.session.sessionId).toBe(sessionId);
    await until(() => events.length === 3, 2000, "the buffered events");
    gw.publish("ann", { ev: "msg", seq: 4 });
    await until(() => events.length === 4, 2000, "a live event after the resume");
    await sleep(100);
    expect(events.map((e) => (e.body as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
    expect(stateOf(gw, "ann", "a1")).toBe("online");
    // The device never went offline: no offline hook, presence kept it all along.
    expect(offline).toEqual([]);
  });

  it("counts pushes beyond the resume buffer as lost and says so in the welcome", async () => {
    gw = await startGatewayNode({ resumeBufferFrames: 2 });
    const token = await gw.createAccount("abe");
    const c = await gw.device("abe", token, "b1", { reconnect: { minDelayMs: 1000, jitter: 0 } });
    const events = record(c, "event");
    dropSocket(c);
    const g = gw;
    await until(() => stateOf(g, "abe", "b1") === "resuming", 2000, "the drop");
    for (let i = 1; i <= 5; i++) gw.publish("abe", { ev: "msg", seq: i });
    expect(await next(c, "reconnected", 5000)).toMatchObject({ resumed: true, lost: 3 });
    await until(() => events.length === 2, 2000, "two buffered events");
    expect(events.map((e) => (e.body as { seq: number }).seq)).toEqual([1, 2]);
  });

  it("needs a fresh login after the window: the old session is offline and its token refused", async () => {
    gw = await startGatewayNode({ resumeWindowMs: 500 });
    const token = await gw.createAccount("amy");
    const offline: string[] = [];
    gw.node.gateway.onDeviceOffline((d, r) => void offline.push(`${d.sessionId} ${r.code}`));
    const c = await gw.device("amy", token, "m1", { reconnect: { minDelayMs: 2000, jitter: 0 } });
    const oldSession = c.session.sessionId;
    const oldToken = c.room!.reconnectionToken;
    dropSocket(c);
    const g = gw;
    await until(() => stateOf(g, "amy", "m1") === undefined, 3000, "the window to pass");
    expect(offline).toEqual([`${oldSession} 2`]);

    const [roomId, secret] = oldToken.split(":");
    const res = await fetch(`${gw.url}/matchmake/reconnect/${roomId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reconnectionToken: secret }),
    });
    expect(res.status).toBe(410);
    expect(((await res.json()) as { code: number }).code).toBe(524);

    const back = await next(c, "reconnected", 5000);
    expect(back.resumed).toBe(false);
    expect(c.session.sessionId).not.toBe(oldSession);
    expect(stateOf(gw, "amy", "m1")).toBe("online");
  });

  it("tells a device kicked while it was away that it was kicked, and keeps it away", async () => {
    gw = await startGatewayNode();
    const token = await gw.createAccount("ada");
    const c = await gw.device("ada", token, "k1", { reconnect: { minDelayMs: 1000, jitter: 0 } });
    const reconnected = record(c, "reconnected");
    dropSocket(c);
    const g = gw;
    await until(() => stateOf(g, "ada", "k1") === "resuming", 2000, "the drop");
    gw.publish("ada", { ev: "kick", reason: KickReason.OTHER_DEVICE, desc: "signed out from the phone" });
    expect(await next(c, "kicked", 5000)).toEqual({ reason: KickReason.OTHER_DEVICE, desc: "signed out from the phone" });
    expect(c.state).toBe("closed");
    await sleep(500);
    expect(reconnected).toEqual([]);
    expect(gw.node.gateway.localDevices(gw.appKey, "ada")).toEqual([]);
  });

  it("closes devices with 4001 when the node stops, and they set out to log in again", async () => {
    gw = await startGatewayNode();
    const token = await gw.createAccount("al");
    const c = await gw.device("al", token, "s1", { reconnect: { minDelayMs: 60_000 } });
    const disconnected = next(c, "disconnected");
    const node = gw;
    gw = undefined;
    await node.node.stop();
    expect(await disconnected).toMatchObject({ code: CloseCodes.SERVER_SHUTDOWN, willReconnect: true });
    expect(c.state).toBe("reconnecting");
    await c.logout();
    expect(c.state).toBe("closed");
  });
});
