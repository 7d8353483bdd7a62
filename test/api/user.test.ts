import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser, recordOf, relationsOf, storedStateOf, uinfoOf, verifyToken } from "../support/users.ts";

const HEX32 = /^[0-9a-f]{32}$/;

describeOnEachStore("server API: accounts and tokens", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  it("creates an account with a generated token and answers info {accid, token, name}", async () => {
    const res = await api.call("user/create", { accid: "gen1", name: "Gen One" });
    expect(res).toEqual({ code: 200, info: { accid: "gen1", token: expect.stringMatching(HEX32), name: "Gen One" } });
    const token = (res.info as { token: string }).token;
    expect(await verifyToken(api, "gen1", token)).toEqual({ ok: true, blocked: false, lockedForMs: 0 });
    expect(await verifyToken(api, "gen1", "wrong")).toEqual({ ok: false, blocked: false, lockedForMs: 0 });
  });

  it('keeps a token the caller gives, and answers name "" when there is none', async () => {
    const res = await api.call("user/create", { accid: "given1", token: "my-own-token" });
    expect(res).toEqual({ code: 200, info: { accid: "given1", token: "my-own-token", name: "" } });
    expect((await verifyToken(api, "given1", "my-own-token")).ok).toBe(true);
  });

  it("gives every account a different generated token", async () => {
    const a = await createUser(api, "distinct1");
    const b = await createUser(api, "distinct2");
    expect(a.token).not.toBe(b.token);
  });

  it("stores every field of user/create and shows it in getUinfos", async () => {
    await createUser(api, "full1", {
      name: "Full",
      icon: "https://x/i.png",
      sign: "hello",
      email: "f@example.com",
      birth: "1990-01-01",
      mobile: "+1-5551234",
      gender: "2",
      ex: '{"k":1}',
      props: '{"p":true}',
    });
    expect(await uinfoOf(api, "full1")).toEqual({
      accid: "full1",
      name: "Full",
      icon: "https://x/i.png",
      sign: "hello",
      email: "f@example.com",
      birth: "1990-01-01",
      mobile: "+1-5551234",
      gender: 2,
      ex: '{"k":1}',
      valid: true,
      mute: false,
      muteP2P: false,
      muteTeam: false,
      muteRoom: false,
      muteQChat: false,
    });
  });

  it("refuses to create an account twice with 414 and keeps the first one as it was", async () => {
    await createUser(api, "twice1", { name: "First", token: "first-token" });
    const res = await api.call("user/create", { accid: "twice1", name: "Second", token: "second-token" });
    expect(res.code).toBe(414);
    expect(res.desc).toMatch(/twice1.*already registered/);
    expect((await uinfoOf(api, "twice1"))?.name).toBe("First");
    expect((await verifyToken(api, "twice1", "first-token")).ok).toBe(true);
    expect((await verifyToken(api, "twice1", "second-token")).ok).toBe(false);
  });

  it("lower-cases accids: Alice is alice, and ALICE reaches the same account", async () => {
    const info = await createUser(api, "Alice", { name: "A" });
    expect(info.accid).toBe("alice");
    expect((await api.call("user/create", { accid: "aLiCe" })).code).toBe(414);
    expect(await api.call("user/updateUinfo", { accid: "ALICE", name: "Upper" })).toEqual({ code: 200 });
    const res = await api.call("user/getUinfos", { accids: JSON.stringify(["ALICE", "alice", "Alice"]) });
    expect(res.uinfos).toEqual([expect.objectContaining({ accid: "alice", name: "Upper" })]);
    expect((await verifyToken(api, "alice", info.token)).ok).toBe(true);
  });

  it("user/update replaces the token: the old one stops verifying", async () => {
    const { token: old } = await createUser(api, "upd1");
    expect(await api.call("user/update", { accid: "upd1", token: "replacement" })).toEqual({ code: 200 });
    expect((await verifyToken(api, "upd1", old)).ok).toBe(false);
    expect((await verifyToken(api, "upd1", "replacement")).ok).toBe(true);
  });

  it("user/update with only props keeps the token", async () => {
    const { token } = await createUser(api, "upd2");
    expect(await api.call("user/update", { accid: "upd2", props: '{"a":1}' })).toEqual({ code: 200 });
    expect((await verifyToken(api, "upd2", token)).ok).toBe(true);
  });

  it("user/refreshToken answers a new token; only the new one verifies", async () => {
    const { token: old } = await createUser(api, "Refresh1", { token: "initial-token" });
    const res = await api.call("user/refreshToken", { accid: "REFRESH1" });
    expect(res).toEqual({ code: 200, info: { accid: "refresh1", token: expect.stringMatching(HEX32) } });
    const fresh = (res.info as { token: string }).token;
    expect(fresh).not.toBe(old);
    expect(await verifyToken(api, "refresh1", old)).toEqual({ ok: false, blocked: false, lockedForMs: 0 });
    expect(await verifyToken(api, "refresh1", fresh)).toEqual({ ok: true, blocked: false, lockedForMs: 0 });
  });

  it("never stores a token in clear", async () => {
    const { token: given } = await createUser(api, "secret1", { token: "plain-secret-token-123" });
    const stored1 = JSON.stringify(await storedStateOf(api, "secret1"));
    expect(stored1).toContain("secret1");
    expect(stored1).not.toContain(given);
    const refreshed = ((await api.call("user/refreshToken", { accid: "secret1" })).info as { token: string }).token;
    const stored2 = JSON.stringify(await storedStateOf(api, "secret1"));
    expect(stored2).not.toContain(refreshed);
    expect(stored2).not.toContain(given);
  });

  it("salts per account: the same token hashes differently for two accounts", async () => {
    await createUser(api, "salt1", { token: "same-token" });
    await createUser(api, "salt2", { token: "same-token" });
    const hashOf = async (accid: string) =>
      ((await storedStateOf(api, accid)) as { account: { token: { hash: string } } }).account.token.hash;
    expect(await hashOf("salt1")).not.toBe(await hashOf("salt2"));
  });

  it("20 concurrent creates of one accid: exactly one 200, the rest 414", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.call("user/create", { accid: "race1", token: `token-${i}` })),
    );
    const winners = results.filter((r) => r.code === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.code === 414)).toHaveLength(19);
    const winnerToken = (winners[0]!.info as { token: string }).token;
    expect((await verifyToken(api, "race1", winnerToken)).ok).toBe(true);
  });

  it("user/block makes the account invalid (and its login check says blocked); user/unblock restores it", async () => {
    const { token } = await createUser(api, "blk1");
    expect(await api.call("user/block", { accid: "blk1", needkick: "true", kickNotifyExt: '{"why":"spam"}' })).toEqual({ code: 200 });
    expect((await uinfoOf(api, "blk1"))?.valid).toBe(false);
    expect(await verifyToken(api, "blk1", token)).toEqual({ ok: true, blocked: true, lockedForMs: 0 });
    // Blocking twice is no error.
    expect((await api.call("user/block", { accid: "blk1" })).code).toBe(200);
    expect(await api.call("user/unblock", { accid: "blk1" })).toEqual({ code: 200 });
    expect((await uinfoOf(api, "blk1"))?.valid).toBe(true);
    expect(await verifyToken(api, "blk1", token)).toEqual({ ok: true, blocked: false, lockedForMs: 0 });
  });

  it("user/mute sets and clears the global mute", async () => {
    await createUser(api, "mute1");
    expect(await api.call("user/mute", { accid: "mute1", mute: "true" })).toEqual({ code: 200 });
    expect((await uinfoOf(api, "mute1"))?.mute).toBe(true);
    expect(await api.call("user/mute", { accid: "mute1", mute: "false" })).toEqual({ code: 200 });
    expect((await uinfoOf(api, "mute1"))?.mute).toBe(false);
  });

  it("user/muteModule changes only the flags it is given and answers all four", async () => {
    await createUser(api, "mm1");
    expect(await api.call("user/muteModule", { accid: "mm1", muteP2P: "true", muteRoom: "true" })).toEqual({
      code: 200,
      data: { muteP2P: true, muteTeam: false, muteRoom: true, muteQChat: false },
    });
    expect(await api.call("user/muteModule", { accid: "mm1", muteRoom: "false", muteQChat: "true" })).toEqual({
      code: 200,
      data: { muteP2P: true, muteTeam: false, muteRoom: false, muteQChat: true },
    });
    expect(await uinfoOf(api, "mm1")).toMatchObject({ mute: false, muteP2P: true, muteTeam: false, muteRoom: false, muteQChat: true });
  });

  it("user/setDonnop records the no-push-while-desktop-online switch", async () => {
    await createUser(api, "donnop1");
    expect((await recordOf(api, "donnop1"))?.donnop).toBe(false);
    expect(await api.call("user/setDonnop", { accid: "donnop1", donnopOpen: "true" })).toEqual({ code: 200 });
    expect((await recordOf(api, "donnop1"))?.donnop).toBe(true);
    expect(await api.call("user/setDonnop", { accid: "donnop1", donnopOpen: "false" })).toEqual({ code: 200 });
    expect((await recordOf(api, "donnop1"))?.donnop).toBe(false);
  });

  it("answers 404 naming the account for every operation on an account that does not exist, and stores nothing", async () => {
    await createUser(api, "someone");
    const calls: [string, Record<string, string>][] = [
      ["user/update", { accid: "ghost", token: "t" }],
      ["user/refreshToken", { accid: "ghost" }],
      ["user/block", { accid: "ghost" }],
      ["user/unblock", { accid: "ghost" }],
      ["user/mute", { accid: "ghost", mute: "true" }],
      ["user/muteModule", { accid: "ghost", muteP2P: "true" }],
      ["user/setDonnop", { accid: "ghost", donnopOpen: "true" }],
      ["user/updateUinfo", { accid: "ghost", name: "Boo" }],
      ["user/listBlackAndMuteList", { accid: "ghost" }],
      ["user/setSpecialRelation", { accid: "ghost", targetAcc: "someone", relationType: "1", value: "1" }],
    ];
    for (const [path, params] of calls) {
      const res = await api.call(path, params);
      expect(res, path).toEqual({ code: 404, desc: expect.stringContaining("ghost") });
    }
    expect(await uinfoOf(api, "ghost")).toBeUndefined();
    expect(await recordOf(api, "ghost")).toBeNull();
    expect(await storedStateOf(api, "ghost")).toBeNull();
    expect(await verifyToken(api, "ghost", "t")).toEqual({ ok: false, blocked: false, lockedForMs: 0, missing: true });
  });
});

describeOnEachStore("server API: accounts survive a restart", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  it("keeps profile, flags, relations and the current token", async () => {
    await createUser(api, "durable", { name: "D", gender: "1", ex: "x" });
    await createUser(api, "other1");
    await createUser(api, "other2");
    const { token } = (await api.call("user/refreshToken", { accid: "durable" })).info as { token: string };
    expect((await api.call("user/updateUinfo", { accid: "durable", sign: "signed", name: "Dee" })).code).toBe(200);
    expect((await api.call("user/mute", { accid: "durable", mute: "true" })).code).toBe(200);
    expect((await api.call("user/muteModule", { accid: "durable", muteTeam: "true" })).code).toBe(200);
    expect((await api.call("user/setDonnop", { accid: "durable", donnopOpen: "true" })).code).toBe(200);
    expect((await api.call("user/block", { accid: "other2" })).code).toBe(200);
    for (const [targetAcc, relationType] of [
      ["other1", "1"],
      ["other2", "2"],
    ] as const) {
      expect((await api.call("user/setSpecialRelation", { accid: "durable", targetAcc, relationType, value: "1" })).code).toBe(200);
    }
    const before = { uinfo: await uinfoOf(api, "durable"), record: await recordOf(api, "durable") };

    await api.restart();

    expect(await uinfoOf(api, "durable")).toEqual(before.uinfo);
    expect(await uinfoOf(api, "durable")).toMatchObject({ name: "Dee", sign: "signed", gender: 1, ex: "x", mute: true, muteTeam: true });
    expect(await recordOf(api, "durable")).toEqual(before.record);
    expect((await recordOf(api, "durable"))?.donnop).toBe(true);
    expect((await uinfoOf(api, "other2"))?.valid).toBe(false);
    expect(await relationsOf(api, "durable")).toEqual({ blacklist: ["other1"], mutelist: ["other2"] });
    expect(await verifyToken(api, "durable", token)).toEqual({ ok: true, blocked: false, lockedForMs: 0 });
    expect((await api.call("user/create", { accid: "durable" })).code).toBe(414);
  });
});
