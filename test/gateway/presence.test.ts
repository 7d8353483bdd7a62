import { describe, it, expect, afterEach } from "vitest";
import { KickReason, type NimbusClient } from "nimbus/client";
import { brief } from "./presence-support.ts";
import { subscriptionsAddress } from "../../src/contracts/subscriptions.ts";
import { next, record, startGatewayNode, until, type GatewayNode } from "./support.ts";

function watch(client: NimbusClient): string[] {
  const seen: string[] = [];
  client.on("presence", (e) => seen.push(`${e.accid}>${brief(e)}`));
  return seen;
}

describe("online-state subscriptions on one node: pushes to every subscriber device", () => {
  const nodes: GatewayNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  it("each change of the publisher once and in order on every device, kicks included; a sync after subscribing and after login", async () => {
    const gw = await startGatewayNode({}, { limits: { multiDevicePolicy: 2 } });
    nodes.push(gw);
    const [tPub, tS1, tS2] = await Promise.all(["star", "fan1", "fan2"].map((a) => gw.createAccount(a)));
    const fan1Web = await gw.device("fan1", tS1!, "w", { clientType: "WEB" });
    const fan1Phone = await gw.device("fan1", tS1!, "p", { clientType: "IOS" });
    const fan2 = await gw.device("fan2", tS2!, "w", { clientType: "WEB" });
    const seen = [watch(fan1Web), watch(fan1Phone), watch(fan2)];

    // fan1 subscribes from its phone (SDK), fan2 through the server API.
    expect(await fan1Phone.subscribePresence(["STAR", "nobody19z"], 3600)).toEqual({ failed: ["nobody19z"] });
    const res = await gw.call("event/subscribe/add", { accid: "fan2", eventType: "1", publisherAccids: '["star"]', ttl: "3600" });
    expect(res).toEqual({ code: 200, failedAccid: [] });
    // The immediate sync: star is offline and has never changed.
    await until(() => seen.every((s) => s.length === 1), 5000, "the sync after subscribing");
    for (const s of seen) expect(s).toEqual(["star>s0:2:"]);

    const web = await gw.device("star", tPub!, "sw", { clientType: "WEB" });
    const phone = await gw.device("star", tPub!, "sp", { clientType: "AOS" });
    const webKicked = next(web, "kicked");
    const pc = await gw.device("star", tPub!, "spc", { clientType: "PC" }); // policy 2: kicks the other desktop
    expect(await webKicked).toMatchObject({ reason: KickReason.POLICY });
    await phone.logout();
    await pc.logout();
    const expected = [
      "star>s0:2:",
      "star>1:1:WEB",
      "star>2:1:AOS+WEB",
      `star>3:2:AOS:${KickReason.POLICY}`,
      "star>4:1:AOS+PC",
      "star>5:2:PC:1",
      "star>6:2::1",
    ];
    await until(() => seen.every((s) => s.length >= expected.length), 5000, "every change on every device");
    for (const s of seen) expect(s).toEqual(expected);

    // A subscriber device that logs in now gets the state as it is; the others hear nothing new.
    // (fan2 has only a desktop: a phone of its own kicks nobody under policy 2.)
    const late = await gw.device("fan2", tS2!, "late", { clientType: "AOS" });
    const lateSeen = watch(late);
    const pcAgain = await gw.device("star", tPub!, "spc", { clientType: "PC" });
    await until(() => lateSeen.length >= 2 && seen.every((s) => s.length === expected.length + 1), 5000, "the login after");
    expect(lateSeen).toEqual(["star>s6:2:", "star>7:1:PC"]);
    for (const s of seen) expect(s.at(-1)).toBe("star>7:1:PC");
    await pcAgain.logout();
    await until(() => lateSeen.length === 3, 5000, "the last logout");
    expect(lateSeen[2]).toBe("star>8:2::1");
  });

  it("a device that logs in after subscribing gets the publisher's current state; unsubscribed or expired ones are silent", async () => {
    const gw = await startGatewayNode();
    nodes.push(gw);
    const [tPub, tOther, tSub] = await Promise.all(["host", "guest", "viewer"].map((a) => gw.createAccount(a)));
    const host = await gw.device("host", tPub!, "h", { clientType: "MAC" });
    await gw.device("guest", tOther!, "g", { clientType: "WEB" });
    // Subscribed while offline, over the server API.
    await gw.call("event/subscribe/add", { accid: "viewer", eventType: "1", publisherAccids: '["host","guest"]', ttl: "3600" });
    const viewer = await gw.device("viewer", tSub!, "v");
    const seen = watch(viewer);
    await until(() => seen.length === 2, 5000, "the login sync");
    expect(seen.sort()).toEqual(["guest>s1:1:WEB", "host>s1:1:MAC"]);

    expect(await viewer.unsubscribePresence(["guest", "stranger"])).toEqual({ failed: ["stranger"] });
    expect((await viewer.presenceSubscriptions()).map((s) => s.publisher)).toEqual(["host"]);
    const events = record(viewer, "event");
    await gw.device("guest", tOther!, "g2", { clientType: "IOS" });
    await host.logout();
    await until(() => seen.length === 3, 5000, "host's logout");
    expect(seen[2]).toBe("host>2:2::1");
    // guest's change never reached the viewer's device at all.
    expect(events.filter((e) => e.type === "presence").length).toBe(1);

    // A subscription that expires (1 s, asked of the actor directly: NIM's least is 60 s) stops by itself.
    await viewer.unsubscribePresence();
    expect(await viewer.presenceSubscriptions()).toEqual([]);
    const tThird = await gw.createAccount("third");
    await gw.node.system.ask(subscriptionsAddress(gw.appKey, "viewer"), { t: "add", publishers: ["third"], ttlSeconds: 1, max: 10 });
    await until(() => seen.length === 4, 5000, "the sync after subscribing");
    expect(seen[3]).toBe("third>s0:2:");
    await new Promise((r) => setTimeout(r, 1100));
    const third = await gw.device("third", tThird, "t", { clientType: "MAC" });
    // Something the viewer still hears, to know third's login had its chance to arrive first.
    await gw.call("event/subscribe/add", { accid: "viewer", eventType: "1", publisherAccids: '["guest"]', ttl: "3600" });
    await until(() => seen.length === 5, 5000, "guest's sync");
    expect(seen[4]).toBe("guest>s2:1:IOS+WEB");
    expect(events.filter((e) => e.type === "presence" && JSON.stringify(e.body).includes("third"))).toHaveLength(1);
    await third.logout();
  });

  it("refuses bad subscribe requests from a device with 414 naming the field, and the 4th subscription with 419 (limit 3)", async () => {
    const gw = await startGatewayNode({}, { limits: { subscriptions: 3 } });
    nodes.push(gw);
    const tokens = await Promise.all(["lim", "a1", "a2", "a3", "a4"].map((a) => gw.createAccount(a)));
    const dev = await gw.device("lim", tokens[0]!, "d");
    const bad: [unknown, string][] = [
      [{ publishers: ["a1"], ttlSeconds: 59 }, "ttlSeconds"],
      [{ publishers: ["a1"], ttlSeconds: 2_592_001 }, "ttlSeconds"],
      [{ publishers: [], ttlSeconds: 600 }, "publishers"],
      [{ publishers: ["bad id!"], ttlSeconds: 600 }, "publishers.0"],
      [{ publishers: Array.from({ length: 101 }, (_, i) => `a${i}`), ttlSeconds: 600 }, "publishers"],
      [{ ttlSeconds: 600 }, "publishers"],
    ];
    for (const [body, field] of bad) {
      await expect(dev.request("subscribe", body)).rejects.toMatchObject({
        code: 414,
        message: expect.stringMatching(new RegExp(`^${field.replace(".", "\\.")}:`)),
      });
    }
    expect(await dev.subscribePresence(["a1", "a2", "a3"], 600)).toEqual({ failed: [] });
    await expect(dev.subscribePresence(["a4"], 600)).rejects.toMatchObject({ code: 419 });
    expect((await dev.presenceSubscriptions()).map((s) => s.publisher).sort()).toEqual(["a1", "a2", "a3"]);
  });
});
