import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { accids, createAccounts } from "../support/friends.ts";
import { subscriptionsAddress } from "../../src/contracts/subscriptions.ts";

const LIMIT = 5;

interface Subscribe {
  accid: string;
  eventType: number;
  expireTime: number;
  subscribeTime: number;
}

describeOnEachStore("server API: event/subscribe (online-state subscriptions, an app with at most 5)", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend, app: { limits: { subscriptions: LIMIT } } });
  });
  afterAll(async () => api.close());

  const add = (accid: string, publishers: string[], ttl = 3600) =>
    api.call("event/subscribe/add", { accid, eventType: "1", publisherAccids: JSON.stringify(publishers), ttl: String(ttl) });
  const query = async (accid: string, publishers: string[]): Promise<Subscribe[]> => {
    const res = await api.call("event/subscribe/query", { accid, eventType: "1", publisherAccids: JSON.stringify(publishers) });
    expect(res.code).toBe(200);
    return (res as unknown as { subscribes: Subscribe[] }).subscribes.sort((a, b) => a.accid.localeCompare(b.accid));
  };

  it("adds with failedAccid for unknown accounts and the subscriber itself, renews, deletes, clears, and keeps it over a restart", async () => {
    const ids = accids("sub", "p1", "p2", "p3");
    await createAccounts(api, Object.values(ids));
    const before = Date.now();
    const res = await add(ids.sub.toUpperCase(), [ids.p1, ids.p2.toUpperCase(), "nobody_19x", ids.sub], 600);
    expect(res).toEqual({ code: 200, failedAccid: ["nobody_19x", ids.sub] });
    const subs = await query(ids.sub, [ids.p1, ids.p2, ids.p3, "nobody_19x"]);
    expect(subs.map((s) => s.accid)).toEqual([ids.p1, ids.p2]);
    for (const s of subs) {
      expect(s.eventType).toBe(1);
      expect(s.subscribeTime).toBeGreaterThanOrEqual(before);
      expect(s.expireTime).toBe(s.subscribeTime + 600_000);
    }
    // Renewing moves the expiry; it does not add a second subscription.
    expect(await add(ids.sub, [ids.p1], 7200)).toEqual({ code: 200, failedAccid: [] });
    const renewed = await query(ids.sub, [ids.p1]);
    expect(renewed).toHaveLength(1);
    expect(renewed[0]!.expireTime).toBe(renewed[0]!.subscribeTime + 7_200_000);

    const del = await api.call("event/subscribe/delete", {
      accid: ids.sub,
      eventType: "1",
      publisherAccids: JSON.stringify([ids.p2, ids.p3]),
    });
    expect(del).toEqual({ code: 200, failedAccid: [ids.p3] });
    expect((await query(ids.sub, [ids.p1, ids.p2])).map((s) => s.accid)).toEqual([ids.p1]);

    await add(ids.sub, [ids.p2, ids.p3]);
    await api.restart();
    expect((await query(ids.sub, [ids.p1, ids.p2, ids.p3])).map((s) => s.accid)).toEqual([ids.p1, ids.p2, ids.p3]);
    expect(await api.call("event/subscribe/batchdel", { accid: ids.sub, eventType: "1" })).toEqual({ code: 200 });
    expect(await query(ids.sub, [ids.p1, ids.p2, ids.p3])).toEqual([]);
  });

  it(`refuses subscribing to more than ${LIMIT} accounts with 419, changing nothing; renewals still go`, async () => {
    const ids = accids("full", "a", "b", "c", "d", "e", "f", "g");
    await createAccounts(api, Object.values(ids));
    const five = [ids.a, ids.b, ids.c, ids.d, ids.e];
    expect(await add(ids.full, five)).toEqual({ code: 200, failedAccid: [] });
    const before = await query(ids.full, [...five, ids.f, ids.g]);
    const refused = await add(ids.full, [ids.a, ids.f], 7200);
    expect(refused.code).toBe(419);
    expect(refused.desc).toMatch(/^publisherAccids: at most 5 subscribed accounts/);
    expect(await query(ids.full, [...five, ids.f, ids.g])).toEqual(before);
    expect(await add(ids.full, [ids.a, ids.b], 7200)).toEqual({ code: 200, failedAccid: [] });
    // Room again after a delete.
    await api.call("event/subscribe/delete", { accid: ids.full, eventType: "1", publisherAccids: JSON.stringify([ids.c]) });
    expect(await add(ids.full, [ids.f])).toEqual({ code: 200, failedAccid: [] });
  });

  it("lets expired subscriptions go by themselves: they no longer show nor count", async () => {
    const ids = accids("ttl", "a", "b", "c", "d", "e", "f");
    await createAccounts(api, Object.values(ids));
    // NIM's shortest TTL is 60 s; the actor takes any, so ask it directly for a 1 s one.
    const ref = subscriptionsAddress(api.appKey, ids.ttl);
    expect(
      await api.node.system.ask(ref, { t: "add", publishers: [ids.a, ids.b, ids.c, ids.d, ids.e], ttlSeconds: 1, max: LIMIT }),
    ).toEqual({
      failed: [],
    });
    expect(await query(ids.ttl, [ids.a])).toHaveLength(1);
    expect((await add(ids.ttl, [ids.f])).code).toBe(419);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await query(ids.ttl, [ids.a, ids.b, ids.c, ids.d, ids.e])).toEqual([]);
    expect(await add(ids.ttl, [ids.f])).toEqual({ code: 200, failedAccid: [] });
  });

  it("refuses bad input with 414 naming the parameter, and an unknown subscriber with 404", async () => {
    const ids = accids("bad", "p");
    await createAccounts(api, Object.values(ids));
    const many = JSON.stringify(Array.from({ length: 101 }, (_, i) => `${ids.p}${i}`));
    const base = { accid: ids.bad, eventType: "1", publisherAccids: JSON.stringify([ids.p]), ttl: "3600" };
    const cases: [string, Record<string, string>, string][] = [
      ["event/subscribe/add", { ...base, eventType: "2" }, "eventType"],
      ["event/subscribe/add", { ...base, ttl: "59" }, "ttl"],
      ["event/subscribe/add", { ...base, ttl: "2592001" }, "ttl"],
      ["event/subscribe/add", { ...base, publisherAccids: many }, "publisherAccids"],
      ["event/subscribe/add", { ...base, publisherAccids: "[]" }, "publisherAccids"],
      ["event/subscribe/add", { ...base, publisherAccids: '["bad accid!"]' }, "publisherAccids.0"],
      ["event/subscribe/delete", { accid: ids.bad, eventType: "1", publisherAccids: "not json" }, "publisherAccids"],
      ["event/subscribe/batchdel", { accid: ids.bad }, "eventType"],
      ["event/subscribe/query", { accid: ids.bad, eventType: "1" }, "publisherAccids"],
    ];
    for (const [path, params, name] of cases) {
      const res = await api.call(path, params);
      expect(res.code, `${path} ${JSON.stringify(params)}`).toBe(414);
      expect(res.desc).toMatch(new RegExp(`^${name.replace(".", "\\.")}:`));
    }
    expect(await query(ids.bad, [ids.p])).toEqual([]);
    expect((await add("nobody_19y", [ids.p])).code).toBe(404);
  });
});
