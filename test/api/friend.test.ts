import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { accids, addFriend, createAccounts, expectOk, faccidsOf, friendOf, friendsOf } from "../support/friends.ts";

describeOnEachStore("server API: friends", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  /** Fresh accounts for one test, created over the API. */
  async function fresh<const N extends string>(...names: N[]): Promise<Record<N, string>> {
    const ids = accids(...names);
    await createAccounts(api, Object.values(ids));
    return ids;
  }

  it("type 1 (direct add) makes both friends at once, with serverex on the adder's side only", async () => {
    const { a, b } = await fresh("a", "b");
    expect(await addFriend(api, a, b, 1, { serverex: "from-server" })).toEqual({ code: 200 });
    const mine = await friendOf(api, a, b);
    expect(mine).toEqual({
      faccid: b,
      alias: "",
      ex: "",
      serverex: "from-server",
      bidirection: true,
      createtime: expect.any(Number),
      updatetime: expect.any(Number),
    });
    expect(mine!.updatetime).toBe(mine!.createtime);
    expect(await friendOf(api, b, a)).toMatchObject({ faccid: a, serverex: "", bidirection: true });
  });

  it("type 1 again is an idempotent success that changes nothing", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 1, { serverex: "first" }), "add");
    const before = [await friendsOf(api, a), await friendsOf(api, b)];
    expect(await addFriend(api, a, b, 1, { serverex: "second" })).toEqual({ code: 200 });
    expect(await addFriend(api, b, a, 1)).toEqual({ code: 200 });
    expect([await friendsOf(api, a), await friendsOf(api, b)]).toEqual(before);
  });

  it("type 2 (request) alone makes nobody a friend; type 3 (accept) makes both", async () => {
    const { a, b } = await fresh("a", "b");
    expect(await addFriend(api, a, b, 2, { msg: "hello, it's me" })).toEqual({ code: 200 });
    expect(await friendsOf(api, a)).toEqual([]);
    expect(await friendsOf(api, b)).toEqual([]);
    expect(await friendOf(api, a, b)).toBeUndefined();

    // Only the receiver can accept: a has no request from b.
    expect(await addFriend(api, a, b, 3)).toEqual({ code: 404, desc: `faccid: ${b} has no pending friend request to ${a}` });
    expect(await addFriend(api, b, a, 3, { serverex: "accepted" })).toEqual({ code: 200 });
    expect(await faccidsOf(api, a)).toEqual([b]);
    expect(await faccidsOf(api, b)).toEqual([a]);
    expect(await friendOf(api, b, a)).toMatchObject({ serverex: "accepted", bidirection: true });
    // The request is used up: accepting again is a success (they are friends), rejecting finds nothing.
    expect(await addFriend(api, b, a, 3)).toEqual({ code: 200 });
    expect((await addFriend(api, b, a, 4)).code).toBe(404);
  });

  it("a resent request stays one request", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 2, { msg: "one" }), "request");
    expectOk(await addFriend(api, a, b, 2, { msg: "two" }), "request again");
    expectOk(await addFriend(api, b, a, 4), "reject");
    expect((await addFriend(api, b, a, 4)).code).toBe(404);
  });

  it("type 4 (reject) clears the request and makes nobody a friend", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 2), "request");
    expect(await addFriend(api, b, a, 4, { msg: "no thanks" })).toEqual({ code: 200 });
    expect(await friendsOf(api, a)).toEqual([]);
    expect(await friendsOf(api, b)).toEqual([]);
    expect(await addFriend(api, b, a, 3)).toEqual({ code: 404, desc: `faccid: ${a} has no pending friend request to ${b}` });
    expect(await addFriend(api, b, a, 4)).toEqual({ code: 404, desc: `faccid: ${a} has no pending friend request to ${b}` });
    // A new request after a rejection is a new request.
    expectOk(await addFriend(api, a, b, 2), "request again");
    expectOk(await addFriend(api, b, a, 3), "accept");
    expect(await faccidsOf(api, b)).toEqual([a]);
  });

  it("becoming friends another way drops the pending requests between the pair", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 2), "request");
    expectOk(await addFriend(api, b, a, 1), "direct add by the receiver");
    expect(await faccidsOf(api, a)).toEqual([b]);
    expectOk(await api.call("friend/delete", { accid: a, faccid: b }), "delete");
    // The old request did not survive the friendship.
    expect((await addFriend(api, b, a, 3)).code).toBe(404);
    expect((await addFriend(api, b, a, 4)).code).toBe(404);
  });

  it("refuses a request to a friend with 417", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 1), "add");
    expect(await addFriend(api, a, b, 2)).toEqual({ code: 417, desc: `faccid: ${b} is already a friend of ${a}` });
    expect(await addFriend(api, b, a, 2)).toEqual({ code: 417, desc: `faccid: ${a} is already a friend of ${b}` });
  });

  it("refuses yourself with 414 and an unknown account with 404 naming it", async () => {
    const { a } = await fresh("a");
    const { ghost } = accids("ghost");
    expect(await addFriend(api, a, a, 1)).toEqual({ code: 414, desc: "faccid: must not be accid itself" });
    expect(await addFriend(api, a, a.toUpperCase(), 1)).toEqual({ code: 414, desc: "faccid: must not be accid itself" });
    for (const type of [1, 2, 3, 4] as const) {
      expect(await addFriend(api, a, ghost, type)).toEqual({ code: 404, desc: `faccid: account ${ghost} does not exist` });
      expect(await addFriend(api, ghost, a, type)).toEqual({ code: 404, desc: `accid: account ${ghost} does not exist` });
    }
    expect(await api.call("friend/get", { accid: ghost, updatetime: "0" })).toEqual({
      code: 404,
      desc: `accid: account ${ghost} does not exist`,
    });
    expect(await friendsOf(api, a)).toEqual([]);
  });

  it("takes account ids case-insensitively, as user/create does", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a.toUpperCase(), b.toUpperCase(), 1), "add in capitals");
    expect(await faccidsOf(api, a)).toEqual([b]);
    expect(await friendOf(api, a.toUpperCase(), b)).toMatchObject({ faccid: b });
  });

  it('update sets alias, ex and serverex on accid\'s side; "" clears; others stay', async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 1), "add");
    const added = (await friendOf(api, a, b))!;
    await new Promise((r) => setTimeout(r, 5));
    expect(await api.call("friend/update", { accid: a, faccid: b, alias: "Bobby", ex: '{"k":1}', serverex: "srv" })).toEqual({ code: 200 });
    const updated = (await friendOf(api, a, b))!;
    expect(updated).toMatchObject({ alias: "Bobby", ex: '{"k":1}', serverex: "srv", createtime: added.createtime });
    expect(updated.updatetime).toBeGreaterThan(added.updatetime);
    expect(await friendOf(api, b, a)).toMatchObject({ alias: "", ex: "", serverex: "" });

    expectOk(await api.call("friend/update", { accid: a, faccid: b, ex: "" }), "clear ex");
    expect(await friendOf(api, a, b)).toMatchObject({ alias: "Bobby", ex: "", serverex: "srv" });
    expectOk(await api.call("friend/update", { accid: a, faccid: b, alias: "", serverex: "" }), "clear the rest");
    expect(await friendOf(api, a, b)).toMatchObject({ alias: "", ex: "", serverex: "" });
  });

  it("update of someone who is not a friend is 404", async () => {
    const { a, b } = await fresh("a", "b");
    expect(await api.call("friend/update", { accid: a, faccid: b, alias: "x" })).toEqual({
      code: 404,
      desc: `faccid: ${b} is not a friend of ${a}`,
    });
    expectOk(await addFriend(api, a, b, 2), "a request is not a friendship");
    expect((await api.call("friend/update", { accid: a, faccid: b, alias: "x" })).code).toBe(404);
  });

  it("delete ends the friendship on both sides and keeps accid's alias, which comes back on re-add", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 1), "add");
    expectOk(await api.call("friend/update", { accid: a, faccid: b, alias: "B!" }), "alias a->b");
    expectOk(await api.call("friend/update", { accid: b, faccid: a, alias: "A!", ex: "gone" }), "alias b->a");
    expect(await api.call("friend/delete", { accid: a, faccid: b })).toEqual({ code: 200 });
    expect(await friendsOf(api, a)).toEqual([]);
    expect(await friendsOf(api, b)).toEqual([]);
    expect(await api.call("friend/delete", { accid: a, faccid: b })).toEqual({ code: 404, desc: `faccid: ${b} is not a friend of ${a}` });

    expectOk(await addFriend(api, b, a, 2), "request");
    expectOk(await addFriend(api, a, b, 3), "accept");
    expect(await friendOf(api, a, b)).toMatchObject({ alias: "B!", ex: "" });
    // The other side's alias is kept too: delete never takes what b did not ask to lose.
    expect(await friendOf(api, b, a)).toMatchObject({ alias: "A!", ex: "" });
  });

  it("delete with isDeleteAlias=true forgets accid's alias", async () => {
    const { a, b } = await fresh("a", "b");
    expectOk(await addFriend(api, a, b, 1), "add");
    expectOk(await api.call("friend/update", { accid: a, faccid: b, alias: "B!" }), "alias a->b");
    expectOk(await api.call("friend/update", { accid: b, faccid: a, alias: "A!" }), "alias b->a");
    expect(await api.call("friend/delete", { accid: a, faccid: b, isDeleteAlias: "true" })).toEqual({ code: 200 });
    expectOk(await addFriend(api, a, b, 1), "re-add");
    expect(await friendOf(api, a, b)).toMatchObject({ alias: "" });
    expect(await friendOf(api, b, a)).toMatchObject({ alias: "A!" });

    expectOk(await api.call("friend/delete", { accid: b, faccid: a, isDeleteAlias: "false" }), "delete from b's side, keeping");
    expectOk(await addFriend(api, a, b, 1), "re-add");
    expect(await friendOf(api, b, a)).toMatchObject({ alias: "A!" });
  });

  it("get answers the friends changed after updatetime, with size", async () => {
    const { a, b, c, d } = await fresh("a", "b", "c", "d");
    expectOk(await addFriend(api, a, b, 1), "add b");
    expectOk(await addFriend(api, a, c, 1), "add c");
    const all = await friendsOf(api, a);
    expect(all.map((f) => f.faccid)).toEqual([b, c]);
    const cursor = Math.max(...all.map((f) => f.updatetime));

    const res = await api.call("friend/get", { accid: a, updatetime: String(cursor) });
    expect(res).toEqual({ code: 200, size: 0, friends: [] });

    expectOk(await api.call("friend/update", { accid: a, faccid: b, alias: "changed" }), "update b");
    expectOk(await addFriend(api, d, a, 1), "d adds a");
    const since = await friendsOf(api, a, cursor);
    expect(since.map((f) => f.faccid)).toEqual([b, d]);
    expect(since.every((f) => f.updatetime > cursor)).toBe(true);
    expect(await friendsOf(api, a, 0)).toHaveLength(3);

    const res2 = await api.call("friend/get", { accid: a, updatetime: "0", createtime: "0" });
    expect(res2).toMatchObject({ code: 200, size: 3 });
  });

  it("getByAccid answers one friend, or 404", async () => {
    const { a, b, c } = await fresh("a", "b", "c");
    expectOk(await addFriend(api, a, b, 1, { serverex: "s" }), "add");
    const res = await api.call("friend/getByAccid", { accid: a, faccid: b });
    expect(res).toEqual({
      code: 200,
      friend: {
        faccid: b,
        alias: "",
        ex: "",
        serverex: "s",
        bidirection: true,
        createtime: expect.any(Number),
        updatetime: expect.any(Number),
      },
    });
    expect(await api.call("friend/getByAccid", { accid: a, faccid: c })).toEqual({
      code: 404,
      desc: `faccid: ${c} is not a friend of ${a}`,
    });
  });
});
