import { randomBytes } from "node:crypto";
import { describe, it, expect, afterEach } from "vitest";
import { KickReason } from "nimbus/client";
import { tempDir } from "../support/processes.ts";
import { uniqueName } from "../support/services.ts";
import { next, startGatewayNode, until, type GatewayNode } from "./support.ts";

interface NimUserEvent {
  accid: string;
  timestamp: number;
  eventType: number;
  clientIp: string;
  sdkVersion: string;
  clientType: number;
  deviceId: string;
  customTag: string;
  code: number;
  logoutReason?: number;
}

type EventsAnswer = { code: number; desc?: string; size: number; events: NimUserEvent[] };

async function events(gw: GatewayNode, accid: string, extra: Record<string, string> = {}): Promise<EventsAnswer> {
  return (await gw.call("history/queryUserEvents", {
    accid,
    begintime: "0",
    endtime: String(Date.now() + 60_000),
    limit: "100",
    ...extra,
  })) as unknown as EventsAnswer;
}

/** `<eventType>:<deviceId>[:<logoutReason>]`, oldest first. */
function summary(list: NimUserEvent[]): string[] {
  return list.map((e) => [e.eventType, e.deviceId, ...(e.logoutReason !== undefined ? [e.logoutReason] : [])].join(":"));
}

describe("the login event log: history/queryUserEvents", () => {
  const nodes: GatewayNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  it("records each login and logout with its reason, pages by time both ways, and keeps them over a restart", async () => {
    const app = { appKey: uniqueName("app"), appSecret: randomBytes(16).toString("hex") };
    const dataDir = tempDir("user-events");
    const gw = await startGatewayNode({}, { app, dataDir, limits: { multiDevicePolicy: 2 } });
    nodes.push(gw);
    const token = await gw.createAccount("Logger1");

    const web = await gw.device("logger1", token, "web-1", { clientType: "WEB", sdkVersion: "9.1.0", customTag: "blue" });
    const phone = await gw.device("logger1", token, "phone-1", { clientType: "IOS" });
    await until(async () => (await events(gw, "logger1")).size === 2, 5000, "two logins logged");
    // A second desktop: the policy kicks the first one (reason 4).
    const kicked = next(web, "kicked");
    const pc = await gw.device("logger1", token, "pc-1", { clientType: "PC" });
    expect(await kicked).toMatchObject({ reason: KickReason.POLICY });
    await phone.logout();
    await until(async () => (await events(gw, "logger1")).size === 5, 5000, "five events logged");
    await pc.logout();
    await until(async () => (await events(gw, "logger1")).size === 6, 5000, "six events logged");

    const asc = await events(gw, "logger1", { reverse: "1" });
    expect(asc.code).toBe(200);
    // The pc's login and web-1's kick are one turn; the kick is recorded first.
    expect(summary(asc.events)).toEqual(["2:web-1", "2:phone-1", "3:web-1:4", "2:pc-1", "3:phone-1:1", "3:pc-1:1"]);
    const first = asc.events[0]!;
    expect(first).toMatchObject({ accid: "logger1", clientType: 16, sdkVersion: "9.1.0", customTag: "blue", code: 200 });
    expect(first.clientIp).toMatch(/127\.0\.0\.1/);
    expect(asc.events.map((e) => e.timestamp)).toEqual([...asc.events.map((e) => e.timestamp)].sort((a, b) => a - b));

    // Newest first by default; limit and the time window cut it.
    const desc = await events(gw, "logger1", { limit: "2" });
    expect(summary(desc.events)).toEqual(["3:pc-1:1", "3:phone-1:1"]);
    const window = await events(gw, "logger1", {
      begintime: String(asc.events[1]!.timestamp),
      endtime: String(asc.events[3]!.timestamp),
      reverse: "1",
    });
    expect(summary(window.events)).toEqual(summary(asc.events.slice(1, 4)));

    await gw.close();
    nodes.length = 0;
    const again = await startGatewayNode({}, { app, dataDir, limits: { multiDevicePolicy: 2 } });
    nodes.push(again);
    const after = await events(again, "logger1", { reverse: "1" });
    expect(after.events).toEqual(asc.events);
    // And it goes on from where it was.
    const web2 = await again.device("logger1", token, "web-2", { clientType: "WEB" });
    await until(async () => (await events(again, "logger1")).size === 7, 5000, "the login after the restart logged");
    expect(summary((await events(again, "logger1", { limit: "1" })).events)).toEqual(["2:web-2"]);
    await web2.logout();
  });

  it("refuses bad input with 414 naming the parameter, and an unknown account with 404", async () => {
    const gw = await startGatewayNode();
    nodes.push(gw);
    await gw.createAccount("logger2");
    const now = String(Date.now());
    const cases: [Record<string, string>, string][] = [
      [{ accid: "logger2", begintime: "0", endtime: now, limit: "101" }, "limit"],
      [{ accid: "logger2", begintime: "0", endtime: now, limit: "0" }, "limit"],
      [{ accid: "logger2", begintime: now, endtime: "0", limit: "10" }, "endtime"],
      [{ accid: "logger2", begintime: "x", endtime: now, limit: "10" }, "begintime"],
      [{ accid: "logger2", begintime: "0", endtime: now, limit: "10", reverse: "3" }, "reverse"],
      [{ begintime: "0", endtime: now, limit: "10" }, "accid"],
    ];
    for (const [params, name] of cases) {
      const res = await gw.call("history/queryUserEvents", params);
      expect(res.code, JSON.stringify(params)).toBe(414);
      expect(res.desc).toMatch(new RegExp(`^${name}:`));
    }
    const missing = await gw.call("history/queryUserEvents", { accid: "nobody19", begintime: "0", endtime: now, limit: "10" });
    expect(missing.code).toBe(404);
    const empty = await events(gw, "logger2");
    expect(empty).toMatchObject({ code: 200, size: 0, events: [] });
  });
});
