import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser, relationsOf } from "../support/users.ts";

const BLACKLIST = "1";
const MUTELIST = "2";

describeOnEachStore("server API: blacklist and mute list", (backend) => {
  let api: ApiNode;
  const set = (accid: string, targetAcc: string, relationType: string, value: string) =>
    api.call("user/setSpecialRelation", { accid, targetAcc, relationType, value });

  beforeAll(async () => {
    api = await startApiNode({ backend });
    for (const a of ["owner", "bob", "carol", "dave", "lonely"]) await createUser(api, a);
  });
  afterAll(async () => api.close());

  it("starts empty", async () => {
    expect(await api.call("user/listBlackAndMuteList", { accid: "lonely" })).toEqual({ code: 200, blacklist: [], mutelist: [] });
  });

  it("adds to and removes from each list independently, in the order added", async () => {
    expect(await set("owner", "carol", BLACKLIST, "1")).toEqual({ code: 200 });
    expect(await set("owner", "bob", BLACKLIST, "1")).toEqual({ code: 200 });
    expect(await set("owner", "bob", MUTELIST, "1")).toEqual({ code: 200 });
    expect(await relationsOf(api, "owner")).toEqual({ blacklist: ["carol", "bob"], mutelist: ["bob"] });

    expect(await set("owner", "bob", BLACKLIST, "0")).toEqual({ code: 200 });
    expect(await relationsOf(api, "owner")).toEqual({ blacklist: ["carol"], mutelist: ["bob"] });
    expect(await set("owner", "bob", MUTELIST, "0")).toEqual({ code: 200 });
    expect(await set("owner", "carol", BLACKLIST, "0")).toEqual({ code: 200 });
    expect(await relationsOf(api, "owner")).toEqual({ blacklist: [], mutelist: [] });
  });

  it("is idempotent: adding twice keeps one entry, removing an absent one succeeds", async () => {
    expect(await set("bob", "dave", BLACKLIST, "1")).toEqual({ code: 200 });
    expect(await set("bob", "dave", BLACKLIST, "1")).toEqual({ code: 200 });
    expect(await set("bob", "carol", MUTELIST, "0")).toEqual({ code: 200 });
    expect(await relationsOf(api, "bob")).toEqual({ blacklist: ["dave"], mutelist: [] });
  });

  it("lower-cases both accounts", async () => {
    expect(await set("CAROL", "DaVe", MUTELIST, "1")).toEqual({ code: 200 });
    expect(await relationsOf(api, "Carol")).toEqual({ blacklist: [], mutelist: ["dave"] });
  });

  it("refuses the account itself as target with 414, changing nothing", async () => {
    expect(await set("dave", "DAVE", BLACKLIST, "1")).toEqual({ code: 414, desc: expect.stringMatching(/^targetAcc: /) });
    expect(await relationsOf(api, "dave")).toEqual({ blacklist: [], mutelist: [] });
  });

  it("refuses a target that does not exist with 404 naming it, changing nothing", async () => {
    expect(await set("dave", "nobody", MUTELIST, "1")).toEqual({ code: 404, desc: expect.stringContaining("nobody") });
    expect(await relationsOf(api, "dave")).toEqual({ blacklist: [], mutelist: [] });
  });

  it("lists relations on accounts that were blocked after being listed", async () => {
    await createUser(api, "tobeblocked");
    expect(await set("lonely", "tobeblocked", BLACKLIST, "1")).toEqual({ code: 200 });
    expect((await api.call("user/block", { accid: "tobeblocked" })).code).toBe(200);
    expect((await relationsOf(api, "lonely")).blacklist).toEqual(["tobeblocked"]);
    expect(await set("lonely", "tobeblocked", BLACKLIST, "0")).toEqual({ code: 200 });
  });

  it("keeps both lists across a restart", async () => {
    expect(await set("owner", "dave", BLACKLIST, "1")).toEqual({ code: 200 });
    expect(await set("owner", "carol", MUTELIST, "1")).toEqual({ code: 200 });
    await api.restart();
    expect(await relationsOf(api, "owner")).toEqual({ blacklist: ["dave"], mutelist: ["carol"] });
  });
});

describeOnEachStore("server API: relation list limit", (backend) => {
  let api: ApiNode;
  const set = (targetAcc: string, relationType: string, value: string) =>
    api.call("user/setSpecialRelation", { accid: "owner", targetAcc, relationType, value });

  beforeAll(async () => {
    api = await startApiNode({ backend, app: { limits: { maxRelationsPerList: 2 } } });
    for (const a of ["owner", "t1", "t2", "t3"]) await createUser(api, a);
  });
  afterAll(async () => api.close());

  it("answers 419 past the app's cap for each list, counting the lists separately", async () => {
    expect((await set("t1", BLACKLIST, "1")).code).toBe(200);
    expect((await set("t2", BLACKLIST, "1")).code).toBe(200);
    expect(await set("t3", BLACKLIST, "1")).toEqual({ code: 419, desc: expect.stringContaining("blacklist") });
    expect(await relationsOf(api, "owner")).toEqual({ blacklist: ["t1", "t2"], mutelist: [] });

    // A full list still takes an entry already on it, and the mute list has its own room.
    expect((await set("t2", BLACKLIST, "1")).code).toBe(200);
    expect((await set("t3", MUTELIST, "1")).code).toBe(200);

    // Room made by a removal can be used again.
    expect((await set("t1", BLACKLIST, "0")).code).toBe(200);
    expect((await set("t3", BLACKLIST, "1")).code).toBe(200);
    expect(await relationsOf(api, "owner")).toEqual({ blacklist: ["t2", "t3"], mutelist: ["t3"] });
  });
});
