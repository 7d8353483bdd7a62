import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser, uinfoOf } from "../support/users.ts";

const EMPTY = { name: "", icon: "", sign: "", email: "", birth: "", mobile: "", ex: "" };
const FLAGS = { valid: true, mute: false, muteP2P: false, muteTeam: false, muteRoom: false, muteQChat: false };

describeOnEachStore("server API: name cards and online status", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  it('answers every key of a uinfo, an unset profile string as "" (NIM\'s SDKs read each key)', async () => {
    await createUser(api, "bare1");
    expect(await uinfoOf(api, "bare1")).toEqual({ accid: "bare1", ...EMPTY, gender: 0, ...FLAGS });
  });

  it("user/updateUinfo sets the fields it is given and keeps the others", async () => {
    await createUser(api, "card1", { name: "Card", icon: "i1", email: "c@x.org" });
    expect(
      await api.call("user/updateUinfo", { accid: "card1", sign: "new sign", birth: "2000-02-02", mobile: "123", gender: "1", ex: "{}" }),
    ).toEqual({
      code: 200,
    });
    expect(await uinfoOf(api, "card1")).toEqual({
      accid: "card1",
      name: "Card",
      icon: "i1",
      sign: "new sign",
      email: "c@x.org",
      birth: "2000-02-02",
      mobile: "123",
      gender: 1,
      ex: "{}",
      ...FLAGS,
    });
  });

  it('user/updateUinfo clears a field sent as "" (gender "" is 0)', async () => {
    await createUser(api, "card2", { name: "N", icon: "I", sign: "S", email: "E", birth: "B", mobile: "M", gender: "2", ex: "X" });
    expect(await api.call("user/updateUinfo", { accid: "card2", icon: "", sign: "", gender: "", ex: "" })).toEqual({ code: 200 });
    expect(await uinfoOf(api, "card2")).toEqual({
      ...EMPTY,
      accid: "card2",
      name: "N",
      email: "E",
      birth: "B",
      mobile: "M",
      gender: 0,
      ...FLAGS,
    });
  });

  it("user/updateUinfo accepts values at the limits and an anti-spam bid", async () => {
    await createUser(api, "card3");
    const atLimit = { name: "n".repeat(64), icon: "i".repeat(1024), sign: "s".repeat(256), email: "e".repeat(64), birth: "b".repeat(16) };
    const more = { mobile: "m".repeat(32), ex: "x".repeat(1024) };
    expect(await api.call("user/updateUinfo", { accid: "card3", ...atLimit, ...more, bid: "biz-1" })).toEqual({ code: 200 });
    expect(await uinfoOf(api, "card3")).toMatchObject({ ...atLimit, ...more });
  });

  it("user/getUinfos answers existing accounts only, once each, in the order asked", async () => {
    await createUser(api, "ord1", { name: "One" });
    await createUser(api, "ord2", { name: "Two" });
    const res = await api.call("user/getUinfos", {
      accids: JSON.stringify(["ord2", "nobody", "ORD1", "ord2", "not valid!"]),
      muteStatus: "true",
    });
    expect(res.code).toBe(200);
    expect((res.uinfos as { accid: string }[]).map((u) => u.accid)).toEqual(["ord2", "ord1"]);
    expect(await api.call("user/getUinfos", { accids: '["nobody"]' })).toEqual({ code: 200, uinfos: [] });
  });

  it("user/getUinfos takes 200 accids and refuses 201 with 414", async () => {
    await createUser(api, "many0");
    const accids = Array.from({ length: 200 }, (_, i) => `many${i}`);
    const ok = await api.call("user/getUinfos", { accids: JSON.stringify(accids) });
    expect(ok.code).toBe(200);
    expect((ok.uinfos as { accid: string }[]).map((u) => u.accid)).toEqual(["many0"]);
    const tooMany = await api.call("user/getUinfos", { accids: JSON.stringify([...accids, "many200"]) });
    expect(tooMany).toEqual({ code: 414, desc: expect.stringMatching(/^accids: .*200/) });
  });

  it("user/userOnlineStatus lists no offline account and names the unknown and malformed ones invalid", async () => {
    await createUser(api, "on1");
    await createUser(api, "on2");
    const res = await api.call("user/userOnlineStatus", { accids: JSON.stringify(["on1", "ghost", "ON2", "bad id", "on1"]) });
    expect(res).toEqual({
      code: 200,
      // NIM's Java SDK's own test expects no entry for an account that exists but is offline.
      data: { invalidAccids: ["ghost", "bad id"], onlineStatusList: [], status: {} },
    });
  });
});
