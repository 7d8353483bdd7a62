import { it, expect, beforeAll, afterAll, describe } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { accids, addFriend, createAccounts, expectOk, faccidsOf, friendsOf, inBatches, type FriendView } from "../support/friends.ts";

const LIMIT = 5;

describeOnEachStore("server API: friend limit (an app with maxFriends 5)", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend, app: { limits: { maxFriends: LIMIT } } });
  });
  afterAll(async () => api.close());

  /** `hub` with LIMIT friends `hub_f0..`, plus `names` with none; all created over the API. */
  async function fullHub<const N extends string>(...names: N[]): Promise<{ hub: string; fillers: string[] } & Record<N, string>> {
    const ids = accids<"hub" | N>("hub", ...names);
    const fillers = Array.from({ length: LIMIT }, (_, i) => `${ids.hub}_f${i}`);
    await createAccounts(api, [...Object.values<string>(ids), ...fillers]);
    for (const [i, f] of fillers.entries()) {
      expect(await addFriend(api, ids.hub, f, 1), `add ${i + 1} of ${LIMIT}`).toEqual({ code: 200 });
    }
    return { ...ids, fillers };
  }

  async function listsOf(...who: string[]): Promise<FriendView[][]> {
    return Promise.all(who.map((id) => friendsOf(api, id)));
  }

  it("refuses the 6th friend with 419 naming accid when accid is full, and changes nothing", async () => {
    const { hub, x } = await fullHub("x");
    const before = await listsOf(hub, x);
    expect(await addFriend(api, hub, x, 1)).toEqual({ code: 419, desc: `accid: ${hub} already has ${LIMIT} friends, the most allowed` });
    expect(await listsOf(hub, x)).toEqual(before);
    expect(before[1]).toEqual([]);
  });

  it("refuses with 419 naming faccid when faccid is full, and undoes accid's side", async () => {
    const { hub, x } = await fullHub("x");
    const before = await listsOf(hub, x);
    expect(await addFriend(api, x, hub, 1)).toEqual({ code: 419, desc: `faccid: ${hub} already has ${LIMIT} friends, the most allowed` });
    expect(await listsOf(hub, x)).toEqual(before);
    expect(await faccidsOf(api, x)).toEqual([]);
  });

  it("keeps a request pending when its accept is refused for either side's limit", async () => {
    const { hub, x, y } = await fullHub("x", "y");
    // A request is not a friend: a full user may send and receive them.
    expectOk(await addFriend(api, x, hub, 2), "x asks the full hub");
    expectOk(await addFriend(api, hub, y, 2), "the full hub asks y");
    const before = await listsOf(hub, x, y);

    expect(await addFriend(api, hub, x, 3)).toEqual({ code: 419, desc: `accid: ${hub} already has ${LIMIT} friends, the most allowed` });
    expect(await addFriend(api, y, hub, 3)).toEqual({ code: 419, desc: `faccid: ${hub} already has ${LIMIT} friends, the most allowed` });
    expect(await listsOf(hub, x, y)).toEqual(before);

    // Room again: both requests are still there to accept.
    expectOk(await api.call("friend/delete", { accid: hub, faccid: before[0]![0]!.faccid }), "delete one");
    expectOk(await addFriend(api, hub, x, 3), "accept x");
    expect((await addFriend(api, y, hub, 3)).code).toBe(419);
    expectOk(await api.call("friend/delete", { accid: hub, faccid: before[0]![1]!.faccid }), "delete another");
    expectOk(await addFriend(api, y, hub, 3), "y accepts");
    expect(await faccidsOf(api, y)).toEqual([hub]);
    expect(await faccidsOf(api, hub)).toContain(y);
  });

  it("counts friends, not requests, and frees a place on delete", async () => {
    const { hub, x } = await fullHub("x");
    expectOk(await api.call("friend/delete", { accid: hub, faccid: `${hub}_f0` }), "delete");
    expect(await addFriend(api, hub, x, 1)).toEqual({ code: 200 });
    expect(await friendsOf(api, hub)).toHaveLength(LIMIT);
    expect((await addFriend(api, hub, `${hub}_f0`, 1)).code).toBe(419);
  });
});

// The real default, on SQLite only (13 s alone, ~25 s beside other suites, account creation included). FerretDB is far
// too slow for it: measured, 300 sequential adds to one list took 30 s, about 100 ms each and
// growing with the list, because every save inserts a whole new snapshot version through
// FerretDB's SQLite backend (insert-only snapshots, see README); 3,000 would take many minutes,
// and at 32 in flight even user/create runs into the 5 s ask timeout (408). The 5-friend suite
// above runs the same limit code on FerretDB.
describe("server API: friend limit at NIM's default of 3,000 [sqlite]", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
  });
  afterAll(async () => api.close());

  it("fills one user's list to 3,000 and refuses the 3,001st on both sides", { timeout: 120_000 }, async () => {
    const limit = api.node.apps.get(api.appKey)!.limits.maxFriends;
    expect(limit).toBe(3000);
    const { hub } = accids("hub");
    const others = Array.from({ length: limit + 1 }, (_, i) => `${hub}_${i}`);
    await createAccounts(api, [hub, ...others], 32);
    const [last, ...fill] = [others[limit]!, ...others.slice(0, limit)];

    await inBatches(fill, 32, async (f, i) => {
      // Half from each side, so both the accid and the faccid paths fill the same list.
      const res = i % 2 === 0 ? await addFriend(api, hub, f, 1) : await addFriend(api, f, hub, 1);
      expect(res, `add ${f}`).toEqual({ code: 200 });
    });
    expect(await friendsOf(api, hub)).toHaveLength(limit);

    expect(await addFriend(api, hub, last, 1)).toEqual({ code: 419, desc: `accid: ${hub} already has ${limit} friends, the most allowed` });
    expect(await addFriend(api, last, hub, 1)).toEqual({
      code: 419,
      desc: `faccid: ${hub} already has ${limit} friends, the most allowed`,
    });
    expect(await friendsOf(api, last)).toEqual([]);
    expect(await friendsOf(api, hub)).toHaveLength(limit);
  });
});
