import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser, recordOf, relationsOf, uinfoOf, verifyToken } from "../support/users.ts";

const long = (n: number) => "x".repeat(n);
const accidsJson = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `a${i}`));

/**
 * One bad parameter per row: [endpoint, params, the parameter `desc` must name]. Rows that target
 * the existing account "subject" carry an otherwise valid change too, so "nothing changed" means
 * the whole request was refused before anything ran, not just the bad part skipped.
 */
const cases: [string, Record<string, string>, string][] = [
  ["user/create", { name: "N" }, "accid"],
  ["user/create", { accid: "" }, "accid"],
  ["user/create", { accid: long(33) }, "accid"],
  ["user/create", { accid: "new bie" }, "accid"],
  ["user/create", { accid: "new/bie" }, "accid"],
  ["user/create", { accid: "新人" }, "accid"],
  ["user/create", { accid: "newbie", name: long(65) }, "name"],
  ["user/create", { accid: "newbie", icon: long(1025) }, "icon"],
  ["user/create", { accid: "newbie", sign: long(257) }, "sign"],
  ["user/create", { accid: "newbie", email: long(65) }, "email"],
  ["user/create", { accid: "newbie", birth: long(17) }, "birth"],
  ["user/create", { accid: "newbie", mobile: long(33) }, "mobile"],
  ["user/create", { accid: "newbie", ex: long(1025) }, "ex"],
  ["user/create", { accid: "newbie", props: long(1025) }, "props"],
  ["user/create", { accid: "newbie", token: long(129) }, "token"],
  ["user/create", { accid: "newbie", token: "" }, "token"],
  ["user/create", { accid: "newbie", gender: "x" }, "gender"],
  ["user/create", { accid: "newbie", gender: "3" }, "gender"],
  ["user/create", { accid: "newbie", gender: "-1" }, "gender"],
  ["user/create", { accid: "newbie", gender: "1.0" }, "gender"],

  ["user/update", { token: "new-token" }, "accid"],
  ["user/update", { accid: "subject", token: long(129) }, "token"],
  ["user/update", { accid: "subject", token: "" }, "token"],
  ["user/update", { accid: "subject", token: "new-token", props: long(1025) }, "props"],

  ["user/refreshToken", {}, "accid"],
  ["user/refreshToken", { accid: long(33) }, "accid"],

  ["user/block", { needkick: "true" }, "accid"],
  ["user/block", { accid: "subject", needkick: "yes" }, "needkick"],
  ["user/block", { accid: "subject", needkick: "1" }, "needkick"],
  ["user/block", { accid: "subject", needkick: "true", kickNotifyExt: long(1025) }, "kickNotifyExt"],
  ["user/block", { accid: "subject", needUnbindPushToken: "no" }, "needUnbindPushToken"],

  ["user/unblock", { accid: "sub ject" }, "accid"],

  ["user/mute", { accid: "subject" }, "mute"],
  ["user/mute", { accid: "subject", mute: "yes" }, "mute"],
  ["user/mute", { accid: "subject", mute: "TRUE" }, "mute"],
  ["user/mute", { mute: "true" }, "accid"],

  ["user/muteModule", { accid: "subject", muteP2P: "true", muteTeam: "1" }, "muteTeam"],
  ["user/muteModule", { accid: "subject", muteP2P: "true", muteRoom: "yes" }, "muteRoom"],
  ["user/muteModule", { accid: "subject", muteP2P: "true", muteQChat: "" }, "muteQChat"],
  ["user/muteModule", { accid: "subject", muteP2P: "on" }, "muteP2P"],

  ["user/setDonnop", { accid: "subject" }, "donnopOpen"],
  ["user/setDonnop", { accid: "subject", donnopOpen: "on" }, "donnopOpen"],
  ["user/setDonnop", { donnopOpen: "true" }, "accid"],

  ["user/updateUinfo", { name: "Changed" }, "accid"],
  ["user/updateUinfo", { accid: "subject", sign: "changed", name: long(65) }, "name"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", icon: long(1025) }, "icon"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", sign: long(257) }, "sign"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", email: long(65) }, "email"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", birth: long(17) }, "birth"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", mobile: long(33) }, "mobile"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", ex: long(1025) }, "ex"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", gender: "x" }, "gender"],
  ["user/updateUinfo", { accid: "subject", name: "Changed", gender: "3" }, "gender"],

  ["user/getUinfos", {}, "accids"],
  ["user/getUinfos", { accids: "subject" }, "accids"],
  ["user/getUinfos", { accids: "[" }, "accids"],
  ["user/getUinfos", { accids: '{"a":1}' }, "accids"],
  ["user/getUinfos", { accids: "[1]" }, "accids"],
  ["user/getUinfos", { accids: "[]" }, "accids"],
  ["user/getUinfos", { accids: accidsJson(201) }, "accids"],
  ["user/getUinfos", { accids: '["subject"]', muteStatus: "yes" }, "muteStatus"],

  // Valid otherwise: would take "target" off subject's blacklist.
  ["user/setSpecialRelation", { targetAcc: "target", relationType: "1", value: "0" }, "accid"],
  ["user/setSpecialRelation", { accid: "subject", relationType: "1", value: "0" }, "targetAcc"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "bad acc", relationType: "1", value: "0" }, "targetAcc"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "target", value: "0" }, "relationType"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "target", relationType: "3", value: "0" }, "relationType"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "target", relationType: "0", value: "0" }, "relationType"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "target", relationType: "x", value: "0" }, "relationType"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "target", relationType: "1" }, "value"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "target", relationType: "1", value: "2" }, "value"],
  ["user/setSpecialRelation", { accid: "subject", targetAcc: "target", relationType: "1", value: "true" }, "value"],

  ["user/listBlackAndMuteList", {}, "accid"],
  ["user/listBlackAndMuteList", { accid: long(33) }, "accid"],

  ["user/userOnlineStatus", {}, "accids"],
  ["user/userOnlineStatus", { accids: "nope" }, "accids"],
  ["user/userOnlineStatus", { accids: accidsJson(201) }, "accids"],
  ["user/userOnlineStatus", { accids: '["a", 2]' }, "accids"],
];

describeOnEachStore("server API: user/* parameter validation", (backend) => {
  let api: ApiNode;
  let before: unknown;

  /** Everything a refused request could have touched. */
  async function observe(): Promise<unknown> {
    return {
      uinfo: await uinfoOf(api, "subject"),
      record: await recordOf(api, "subject"),
      relations: await relationsOf(api, "subject"),
      oldToken: await verifyToken(api, "subject", "subject-token"),
      newToken: await verifyToken(api, "subject", "new-token"),
      newbie: await recordOf(api, "newbie"),
    };
  }

  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUser(api, "subject", { token: "subject-token", name: "Subject", sign: "s", gender: "1" });
    await createUser(api, "target");
    expect((await api.call("user/setSpecialRelation", { accid: "subject", targetAcc: "target", relationType: "1", value: "1" })).code).toBe(
      200,
    );
    before = await observe();
  });
  afterAll(async () => api.close());

  it.each(cases)("%s %j -> 414 naming %s, nothing changed", async (path, params, param) => {
    const res = await api.call(path, params);
    expect(res).toEqual({ code: 414, desc: expect.stringMatching(new RegExp(`^${param}(\\.\\d+)?: `)) });
    expect(await observe()).toEqual(before);
  });

  it("a well-formed request on the same account still works afterwards", async () => {
    expect(await api.call("user/updateUinfo", { accid: "subject", name: "Changed" })).toEqual({ code: 200 });
    expect((await uinfoOf(api, "subject"))?.name).toBe("Changed");
  });
});
