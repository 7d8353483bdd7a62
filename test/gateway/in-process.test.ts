import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { KickReason, Requests, type SessionInfo } from "nimbus/client";
import { next, record, startGatewayNode, until, type GatewayNode } from "./support.ts";

// Colyseus's matchmaker is one per process; two nodes in one process must still keep their
// devices, rooms and shutdowns apart (tests do this, and an embedder might).
describe("gateway: two nodes in one process", () => {
  let a: GatewayNode;
  let b: GatewayNode;
  beforeAll(async () => {
    [a, b] = await Promise.all([startGatewayNode(), startGatewayNode()]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("seats each device in the room of the node it called, and delivers only there", async () => {
    const [ta, tb] = [await a.createAccount("pat"), await b.createAccount("pat")];
    const onA = await a.device("pat", ta, "d");
    const onB = await b.device("pat", tb, "d");
    expect(onA.session.nodeId).toBe(a.node.nodeId);
    expect((await onB.request<SessionInfo>(Requests.SESSION)).nodeId).toBe(b.node.nodeId);
    expect(onA.room!.roomId).not.toBe(onB.room!.roomId);

    const [ea, eb] = [record(onA, "event"), record(onB, "event")];
    a.publish("pat", { ev: "msg", to: "a" });
    b.publish("pat", { ev: "msg", to: "b" });
    await until(() => ea.length === 1 && eb.length === 1, 3000, "one event each");
    expect(ea[0]!.body).toEqual({ to: "a" });
    expect(eb[0]!.body).toEqual({ to: "b" });

    const kicked = next(onA, "kicked");
    a.publish("pat", { ev: "kick", reason: KickReason.SERVER });
    await kicked;
    expect(onB.state).toBe("connected");
    expect(b.node.gateway.localDevices(b.appKey, "pat")).toHaveLength(1);
  });

  it("refuses to resume one node's session through the other node", async () => {
    const t = await a.createAccount("quinn");
    const c = await a.device("quinn", t, "q");
    const [roomId, secret] = c.room!.reconnectionToken.split(":");
    const res = await fetch(`${b.url}/matchmake/reconnect/${roomId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reconnectionToken: secret }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(522);
    expect(c.state).toBe("connected");
  });
});
