import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { accids, addFriend, createAccounts, expectOk, faccidsOf, friendOf, friendsOf } from "../support/friends.ts";

describeOnEachStore("server API: friends under concurrency and restarts", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  it("the same pair added from both sides at once ends as one friendship on each side", async () => {
    const { a, b } = accids("a", "b");
    await createAccounts(api, [a, b]);
    const adds = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? addFriend(api, a, b, 1) : addFriend(api, b, a, 1)));
    for (const res of await Promise.all(adds)) expect(res).toEqual({ code: 200 });
    expect(await faccidsOf(api, a)).toEqual([b]);
    expect(await faccidsOf(api, b)).toEqual([a]);
  });

  it("crossed requests accepted at once by both end as one friendship on each side", async () => {
    const { a, b } = accids("a", "b");
    await createAccounts(api, [a, b]);
    expectOk(await addFriend(api, a, b, 2), "a asks b");
    expectOk(await addFriend(api, b, a, 2), "b asks a");
    const [one, two] = await Promise.all([addFriend(api, a, b, 3), addFriend(api, b, a, 3)]);
    expect([one, two]).toEqual([{ code: 200 }, { code: 200 }]);
    expect(await faccidsOf(api, a)).toEqual([b]);
    expect(await faccidsOf(api, b)).toEqual([a]);
  });

  it("many users adding one user at once all get in, once each", async () => {
    const { hub } = accids("hub");
    const fans = Array.from({ length: 20 }, (_, i) => `${hub}_${i}`);
    await createAccounts(api, [hub, ...fans]);
    const results = await Promise.all(fans.map((f, i) => (i % 2 ? addFriend(api, f, hub, 1) : addFriend(api, hub, f, 1))));
    expect(results.every((r) => r.code === 200)).toBe(true);
    expect(await faccidsOf(api, hub)).toEqual([...fans].sort());
    for (const f of fans) expect(await faccidsOf(api, f)).toEqual([hub]);
  });

  it("friendships, aliases, kept aliases and pending requests survive a restart", async () => {
    const { a, b, c, d, e } = accids("a", "b", "c", "d", "e");
    await createAccounts(api, [a, b, c, d, e]);
    expectOk(await addFriend(api, a, b, 1, { serverex: "sx" }), "a+b");
    expectOk(await api.call("friend/update", { accid: a, faccid: b, alias: "bee", ex: "ex-b" }), "alias b");
    expectOk(await addFriend(api, a, c, 1), "a+c");
    expectOk(await api.call("friend/update", { accid: a, faccid: c, alias: "sea" }), "alias c");
    expectOk(await api.call("friend/delete", { accid: a, faccid: c }), "delete c, keeping the alias");
    expectOk(await addFriend(api, d, a, 2, { msg: "let's be friends" }), "d asks a");
    expectOk(await addFriend(api, a, e, 2), "a asks e");
    const before = await Promise.all([a, b, c, d, e].map((id) => friendsOf(api, id)));

    await api.restart();

    expect(await Promise.all([a, b, c, d, e].map((id) => friendsOf(api, id)))).toEqual(before);
    expect(await friendOf(api, a, b)).toMatchObject({ alias: "bee", ex: "ex-b", serverex: "sx" });
    // The requests are still pending: one can be accepted, the other rejected.
    expect(await addFriend(api, a, d, 3)).toEqual({ code: 200 });
    expect(await addFriend(api, e, a, 4)).toEqual({ code: 200 });
    expect((await addFriend(api, e, a, 3)).code).toBe(404);
    // The kept alias comes back with the friendship.
    expectOk(await addFriend(api, c, a, 1), "c+a again");
    expect(await friendOf(api, a, c)).toMatchObject({ alias: "sea" });
    expect(await faccidsOf(api, a)).toEqual([b, c, d].sort());

    await api.restart();
    expect(await faccidsOf(api, a)).toEqual([b, c, d].sort());
    expect(await faccidsOf(api, d)).toEqual([a]);
    expect(await faccidsOf(api, e)).toEqual([]);
  });

  it("incremental get keeps working across a restart: stamps never go back", async () => {
    const { a, b, c } = accids("a", "b", "c");
    await createAccounts(api, [a, b, c]);
    expectOk(await addFriend(api, a, b, 1), "a+b");
    const cursor = (await friendOf(api, a, b))!.updatetime;
    await api.restart();
    expectOk(await addFriend(api, a, c, 1), "a+c");
    expect((await friendsOf(api, a, cursor)).map((f) => f.faccid)).toEqual([c]);
  });

  it("keeps friends named like Object's own keys (__proto__, constructor) across a restart", async () => {
    // Both are valid accids; state keyed by accid in a plain object would lose or refuse them.
    await createAccounts(api, ["__proto__", "constructor"]);
    expectOk(await addFriend(api, "__proto__", "constructor", 1), "add");
    expectOk(await api.call("friend/update", { accid: "constructor", faccid: "__proto__", alias: "proto" }), "alias");
    await api.restart();
    expect(await faccidsOf(api, "__proto__")).toEqual(["constructor"]);
    expect(await friendOf(api, "constructor", "__proto__")).toMatchObject({ alias: "proto" });
  });
});
