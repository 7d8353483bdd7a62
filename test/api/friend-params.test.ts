import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { accids, addFriend, createAccounts, expectOk, friendsOf, type FriendView } from "../support/friends.ts";

/**
 * Every parameter of every friend endpoint, refused: missing, too long, the wrong type, out of
 * range. Each refusal must be 414 naming the parameter and must change nothing, which is read
 * back with friend/get. Each table starts from a valid call that *would* change something, and
 * ends by making it, so a refusal cannot pass for a no-op.
 */

type Params = Record<string, string>;

interface BadCase {
  what: string;
  params: Params;
  /** The parameter the desc must name. */
  param: string;
}

const long = (n: number) => "x".repeat(n);

/** The cases for the valid call `base`: one parameter at a time broken. */
function variants(base: Params, breaks: Record<string, Record<string, string | undefined>>): BadCase[] {
  const out: BadCase[] = [];
  for (const [param, ways] of Object.entries(breaks)) {
    for (const [how, value] of Object.entries(ways)) {
      const params = { ...base };
      if (value === undefined) delete params[param];
      else params[param] = value;
      out.push({ what: `${param} ${how}`, params, param });
    }
  }
  return out;
}

const accidBreaks = { missing: undefined, empty: "", "too long (33)": long(33), "with a space": "a b", "with a slash": "a/b" };

describeOnEachStore("server API: friend parameter validation", (backend) => {
  let api: ApiNode;
  let ids: Record<"a" | "b" | "c" | "d", string>;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  /** a and b are friends with an alias, c has asked a, d is a stranger to all. */
  async function setUp(): Promise<void> {
    ids = accids("a", "b", "c", "d");
    await createAccounts(api, Object.values(ids));
    expectOk(await addFriend(api, ids.a, ids.b, 1), "a+b");
    expectOk(await api.call("friend/update", { accid: ids.a, faccid: ids.b, alias: "bee" }), "alias");
    expectOk(await addFriend(api, ids.c, ids.a, 2), "c asks a");
  }

  async function everything(): Promise<FriendView[][]> {
    return Promise.all(Object.values(ids).map((id) => friendsOf(api, id)));
  }

  async function expectAllRefused(path: string, cases: BadCase[]): Promise<FriendView[][]> {
    const before = await everything();
    for (const c of cases) {
      const res = await api.call(path, c.params);
      expect(res, `${path}: ${c.what}`).toEqual({ code: 414, desc: expect.stringMatching(new RegExp(`^${c.param}: `)) });
      expect(await everything(), `${path}: ${c.what} changed something`).toEqual(before);
    }
    return before;
  }

  it("friend/add", async () => {
    await setUp();
    const base = { accid: ids.a, faccid: ids.d, type: "1", msg: "hi", serverex: "s" };
    const cases = variants(base, {
      accid: accidBreaks,
      faccid: { ...accidBreaks, "equal to accid": ids.a },
      type: { missing: undefined, empty: "", "not a number": "x", "out of range (5)": "5", "out of range (0)": "0", "a fraction": "1.0" },
      msg: { "too long (257)": long(257) },
      serverex: { "too long (257)": long(257) },
    });
    // The accept and reject of c's request are refused as well, and must not use it up.
    cases.push(...variants({ accid: ids.a, faccid: ids.c, type: "3" }, { type: { "out of range": "5" }, msg: { "too long": long(257) } }));
    cases.push(
      ...variants({ accid: ids.a, faccid: ids.c, type: "4" }, { faccid: { "too long": long(33) }, type: { "not a number": "four" } }),
    );
    const before = await expectAllRefused("friend/add", cases);

    expect((await api.call("friend/add", base)).code).toBe(200);
    expect(await everything()).not.toEqual(before);
    expect((await addFriend(api, ids.a, ids.c, 3)).code).toBe(200);
  });

  it("friend/update", async () => {
    await setUp();
    const base = { accid: ids.a, faccid: ids.b, alias: "new", ex: "e", serverex: "s" };
    const cases = variants(base, {
      accid: accidBreaks,
      faccid: { ...accidBreaks, "equal to accid": ids.a },
      alias: { "too long (129)": long(129) },
      ex: { "too long (257)": long(257) },
      serverex: { "too long (257)": long(257) },
    });
    const before = await expectAllRefused("friend/update", cases);
    expect((await api.call("friend/update", base)).code).toBe(200);
    expect(await everything()).not.toEqual(before);
  });

  it("friend/delete", async () => {
    await setUp();
    const base = { accid: ids.a, faccid: ids.b, isDeleteAlias: "true" };
    const cases = variants(base, {
      accid: accidBreaks,
      faccid: { ...accidBreaks, "equal to accid": ids.a },
      isDeleteAlias: { "not a bool (yes)": "yes", "not a bool (1)": "1", empty: "", capitalised: "True" },
    });
    const before = await expectAllRefused("friend/delete", cases);
    expect((await api.call("friend/delete", base)).code).toBe(200);
    expect(await everything()).not.toEqual(before);
  });

  it("friend/get", async () => {
    await setUp();
    const base = { accid: ids.a, updatetime: "0" };
    const cases = variants(base, {
      accid: accidBreaks,
      updatetime: { missing: undefined, empty: "", "not a number": "abc", negative: "-1", "a fraction": "1.5", "too big": "9".repeat(20) },
      createtime: { "not a number": "abc" },
    });
    await expectAllRefused("friend/get", cases);
    expect((await api.call("friend/get", base)).code).toBe(200);
  });

  it("friend/getByAccid", async () => {
    await setUp();
    const base = { accid: ids.a, faccid: ids.b };
    const cases = variants(base, { accid: accidBreaks, faccid: { ...accidBreaks, "equal to accid": ids.a } });
    await expectAllRefused("friend/getByAccid", cases);
    expect((await api.call("friend/getByAccid", base)).code).toBe(200);
  });

  it("names the parameter and the rule in desc", async () => {
    await setUp();
    expect(await api.call("friend/add", { accid: ids.a, faccid: ids.d, type: "5" })).toEqual({
      code: 414,
      desc: "type: must be one of 1, 2, 3, 4",
    });
    expect(await api.call("friend/add", { accid: ids.a, faccid: ids.d })).toEqual({ code: 414, desc: "type: required" });
    expect(await api.call("friend/add", { accid: ids.a, faccid: ids.d, type: "1", msg: long(257) })).toEqual({
      code: 414,
      desc: "msg: too long: at most 256 characters",
    });
    expect(await api.call("friend/get", { accid: ids.a, updatetime: "abc" })).toEqual({
      code: 414,
      desc: "updatetime: must be an integer",
    });
    expect(await api.call("friend/delete", { accid: ids.a, faccid: ids.b, isDeleteAlias: "yes" })).toEqual({
      code: 414,
      desc: 'isDeleteAlias: must be "true" or "false"',
    });
    expect(await api.call("friend/update", { accid: ids.a, faccid: ids.b, alias: long(129) })).toEqual({
      code: 414,
      desc: "alias: too long: at most 128 characters",
    });
  });
});
