import { describe, it, expect, afterEach } from "vitest";
import type { CustomEventChange, NimbusClient } from "nimbus/client";
import { record, sleep, startGatewayNode, until, type GatewayNode } from "./support.ts";

/** `<publisher>:<eventType>=<eventValue>/<config>`, prefixed `s` for a sync. */
function brief(e: CustomEventChange): string {
  return `${e.sync ? "s" : ""}${e.accid}:${e.eventType}=${e.eventValue}/${e.config}`;
}

function watch(client: NimbusClient): { custom: string[]; presence: string[] } {
  const seen = { custom: [] as string[], presence: [] as string[] };
  client.on("customEvent", (e) => seen.custom.push(brief(e)));
  client.on("presence", (e) => seen.presence.push(`${e.accid}:${e.eventType}`));
  return seen;
}

/**
 * Custom online-state events (NIM eventType ≥ 100000) with real SDK clients on a real node: one
 * publish per event on the publisher's presence subject, fanned out to the devices subscribed to
 * that type of that publisher; the newest one broadcast online and offline is handed on subscribe
 * and after login while valid.
 */
describe("custom events (eventType ≥ 100000) on one node", () => {
  const nodes: GatewayNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  it("reach the subscribers of that type only, once each; the kept one comes on subscribe and after login; online-only ones are never kept", async () => {
    const gw = await startGatewayNode();
    nodes.push(gw);
    const [tPub, tFan, tOnline, tLate] = await Promise.all(["cpub", "cfan", "conl", "clate"].map((a) => gw.createAccount(a)));
    const pub = await gw.device("cpub", tPub!, "p");
    const fan = await gw.device("cfan", tFan!, "f");
    const onlineOnly = await gw.device("conl", tOnline!, "o");
    const [fanSeen, onlineSeen] = [watch(fan), watch(onlineOnly)];
    expect(await fan.subscribePresence(["cpub"], 3600, 100_001)).toEqual({ failed: [] });
    // Subscribed to the online state only: hears no custom event.
    expect(await onlineOnly.subscribePresence(["cpub"], 3600)).toEqual({ failed: [] });
    await until(() => onlineSeen.presence.length === 1, 5000, "the online-state sync");
    expect((await fan.presenceSubscriptions(undefined, 100_001)).map((s) => [s.publisher, s.eventType])).toEqual([["cpub", 100_001]]);

    const first = await pub.publishEvent({ eventType: 100_001, eventValue: 7, config: "busy", ttl: 600 });
    expect(first).toMatchObject({ accid: "cpub", eventType: 100_001, eventValue: 7, config: "busy", broadcastType: 2 });
    await pub.publishEvent({ eventType: 100_002, eventValue: 1, ttl: 600 }); // a type nobody follows
    await pub.publishEvent({ eventType: 100_001, eventValue: 8, config: "flash", ttl: 600, broadcastType: 1 });
    await until(() => fanSeen.custom.length === 2, 5000, "both events of the followed type");
    expect(fanSeen.custom).toEqual(["cpub:100001=7/busy", "cpub:100001=8/flash"]);

    // A new subscriber and a new device of the fan get the kept event (7: 8 was online only).
    const late = await gw.device("clate", tLate!, "l");
    const lateSeen = watch(late);
    await late.subscribePresence(["cpub"], 3600, 100_001);
    await until(() => lateSeen.custom.length === 1, 5000, "the kept event on subscribe");
    expect(lateSeen.custom).toEqual(["scpub:100001=7/busy"]);
    const fan2 = await gw.device("cfan", tFan!, "f2");
    const fan2Seen = watch(fan2);
    await until(() => fan2Seen.custom.length === 1, 5000, "the kept event after login");
    expect(fan2Seen.custom).toEqual(["scpub:100001=7/busy"]);

    // Unsubscribing the type stops it; the online-state subscription of another account is untouched.
    expect(await fan.unsubscribePresence(["cpub"], 100_001)).toEqual({ failed: [] });
    expect(await fan.presenceSubscriptions()).toEqual([]);
    await pub.publishEvent({ eventType: 100_001, eventValue: 9, ttl: 600 });
    await until(() => lateSeen.custom.length === 2, 5000, "the next event, to the subscriber left");
    await sleep(200);
    expect(fanSeen.custom).toHaveLength(2);
    expect(onlineSeen.custom).toEqual([]);
    expect(onlineSeen.presence).toEqual(["cpub:1"]);
  });

  it("refuses bad publishes and subscriptions with 414 naming the field; the server API stays eventType 1", async () => {
    const gw = await startGatewayNode();
    nodes.push(gw);
    const [tA] = await Promise.all(["cbad", "cother"].map((a) => gw.createAccount(a)));
    const dev = await gw.device("cbad", tA!, "d");
    const events = record(dev, "event");
    const bad: [string, unknown, string][] = [
      ["publishEvent", { eventType: 1, eventValue: 1, ttl: 600 }, "eventType"],
      ["publishEvent", { eventType: 99_999, eventValue: 1, ttl: 600 }, "eventType"],
      ["publishEvent", { eventType: 100_000, eventValue: 1.5, ttl: 600 }, "eventValue"],
      ["publishEvent", { eventType: 100_000, eventValue: 1, ttl: 59 }, "ttl"],
      ["publishEvent", { eventType: 100_000, eventValue: 1, ttl: 604_801 }, "ttl"],
      ["publishEvent", { eventType: 100_000, eventValue: 1, ttl: 600, config: "x".repeat(4097) }, "config"],
      ["publishEvent", { eventType: 100_000, eventValue: 1, ttl: 600, broadcastType: 3 }, "broadcastType"],
      ["subscribe", { publishers: ["cother"], ttlSeconds: 600, eventType: 2 }, "eventType"],
      ["unsubscribe", { publishers: ["cother"], eventType: "100000" }, "eventType"],
    ];
    for (const [type, body, field] of bad) {
      await expect(dev.request(type, body), `${type} ${JSON.stringify(body).slice(0, 80)}`).rejects.toMatchObject({
        code: 414,
        message: expect.stringMatching(new RegExp(`^${field}:`)),
      });
    }
    expect(await dev.presenceSubscriptions()).toEqual([]);
    expect(events.filter((e) => e.type === "customEvent")).toEqual([]);
    // event/subscribe/* is eventType 1 only (NIM): its query and batchdel leave custom subscriptions alone.
    await dev.subscribePresence(["cother"], 600, 100_000);
    expect(await gw.call("event/subscribe/query", { accid: "cbad", eventType: "1", publisherAccids: '["cother"]' })).toEqual({
      code: 200,
      subscribes: [],
    });
    expect(
      (await gw.call("event/subscribe/add", { accid: "cbad", eventType: "100000", publisherAccids: '["cother"]', ttl: "600" })).code,
    ).toBe(414);
    expect((await gw.call("event/subscribe/batchdel", { accid: "cbad", eventType: "1" })).code).toBe(200);
    expect((await dev.presenceSubscriptions()).map((s) => s.eventType)).toEqual([100_000]);
  });
});
