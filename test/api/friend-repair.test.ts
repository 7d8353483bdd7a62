import { it, expect, beforeAll, afterAll } from "vitest";
import type { FriendsMessage } from "../../src/contracts/friends.ts";
import { friendsAddress } from "../../src/contracts/friends.ts";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { accids, addFriend, createAccounts, expectOk, faccidsOf, friendOf } from "../support/friends.ts";

/**
 * A two-sided operation whose second step was lost (a timeout, a node gone) leaves one side done.
 * The half state is made here by asking one friends actor directly, as the first step would; the
 * same request over HTTP, retried, must then finish the job.
 */
describeOnEachStore("server API: a retried friend operation repairs a half-done one", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  function firstStepOnly(accid: string, m: FriendsMessage): Promise<unknown> {
    return api.node.system.ask(friendsAddress(api.appKey, accid), m);
  }

  async function pair(): Promise<{ a: string; b: string }> {
    const ids = accids("a", "b");
    await createAccounts(api, [ids.a, ids.b]);
    return ids;
  }

  it("direct add", async () => {
    const { a, b } = await pair();
    await firstStepOnly(a, { t: "link", faccid: b, limit: 3000 });
    expect(await friendOf(api, b, a)).toBeUndefined();
    expect(await addFriend(api, a, b, 1)).toEqual({ code: 200 });
    expect(await faccidsOf(api, a)).toEqual([b]);
    expect(await faccidsOf(api, b)).toEqual([a]);
  });

  it("request", async () => {
    const { a, b } = await pair();
    await firstStepOnly(a, { t: "sendRequest", to: b, msg: "hi" });
    expect((await addFriend(api, b, a, 3)).code).toBe(404); // b never heard of it
    expectOk(await addFriend(api, a, b, 2, { msg: "hi" }), "request again");
    expect(await addFriend(api, b, a, 3)).toEqual({ code: 200 });
    expect(await faccidsOf(api, a)).toEqual([b]);
  });

  it("accept", async () => {
    const { a, b } = await pair();
    expectOk(await addFriend(api, a, b, 2), "request");
    await firstStepOnly(b, { t: "accept", from: a, limit: 3000 });
    expect(await faccidsOf(api, a)).toEqual([]);
    expect(await addFriend(api, b, a, 3)).toEqual({ code: 200 });
    expect(await faccidsOf(api, a)).toEqual([b]);
    expect(await faccidsOf(api, b)).toEqual([a]);
  });

  it("reject", async () => {
    const { a, b } = await pair();
    expectOk(await addFriend(api, a, b, 2), "request");
    await firstStepOnly(b, { t: "dropRequest", peer: a, side: "incoming" });
    expect(await addFriend(api, b, a, 4)).toEqual({ code: 200 }); // a's half was still there
    expect((await addFriend(api, b, a, 4)).code).toBe(404);
    // a's request is gone on its side too: asking again is a new request, not a refresh of a lost one.
    expectOk(await addFriend(api, a, b, 2), "request again");
    expectOk(await addFriend(api, b, a, 3), "accept");
  });

  it("delete", async () => {
    const { a, b } = await pair();
    expectOk(await addFriend(api, a, b, 1), "add");
    await firstStepOnly(a, { t: "unlink", faccid: b, deleteAlias: false });
    expect(await api.call("friend/delete", { accid: a, faccid: b })).toEqual({ code: 200 });
    expect(await faccidsOf(api, b)).toEqual([]);
    expect((await api.call("friend/delete", { accid: a, faccid: b })).code).toBe(404);
  });
});
