import { it, expect, beforeAll, afterAll, describe } from "vitest";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers } from "../support/messaging.ts";
import { ok } from "../support/teams.ts";

const FAR_FUTURE = String(Date.now() + 10 * 365 * 86_400_000);

interface Member {
  accid: string;
  type: number;
  mute: number;
  jointime: number;
  nick: string;
  silentType: number;
}

/** superteam/*: every action over REST, its notification (ops 401–411), refusals with NIM's codes, limits, paging, restart. */
describe("server API: superteam/* [sqlite]", () => {
  let api: ApiNode;
  let n = 0;
  const code = async (path: string, params: Record<string, string>) => (await api.call(path, params)).code;
  const create = async (owner: string, members: string[], extra: Record<string, string> = {}) =>
    String(
      (await ok(api, "superteam/create", { owner, inviteAccids: JSON.stringify(members), tname: "s", msg: "m", joinmode: "0", ...extra }))
        .tid,
    );
  const info = async (tid: string) =>
    ((await ok(api, "superteam/getTinfos", { tids: JSON.stringify([tid]) })).tinfos as Record<string, unknown>[])[0];
  const history = async (tid: string, accid: string) =>
    (await ok(api, "superteam/queryHistoryMsg", { tid, accid, begintime: "0", endtime: FAR_FUTURE, limit: "100", reverse: "1" })).msgs as {
      type: number;
      body: string;
      msgid: number;
      from: string;
    }[];
  const ops = async (tid: string, accid: string) =>
    (await history(tid, accid)).filter((m) => m.type === 5).map((m) => (JSON.parse(m.body) as { id: number }).id);
  const members = async (tid: string, extra: Record<string, string> = {}) =>
    (await ok(api, "superteam/getTlists", { tid, limit: "2000", reverse: "1", ...extra })).tlists as Member[];

  /** A super team: owner, manager, two members; an outsider. */
  async function fixture(extra: Record<string, string> = {}) {
    const t = `s${n++}`;
    const [o, mg, m1, m2, x] = ["o", "g", "m", "n", "x"].map((s) => `${t}${s}`) as [string, string, string, string, string];
    await createUsers(api, o, mg, m1, m2, x);
    const tid = await create(o, [mg, m1, m2], extra);
    await ok(api, "superteam/addManager", { tid, owner: o, managerAccids: JSON.stringify([mg]) });
    return { tid, o, mg, m1, m2, x };
  }

  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite", app: { limits: { superTeamMembers: 300 } } });
  });
  afterAll(async () => api.close());

  it("create: tlevel defaults to the app's maximum below 2,000; getTinfos takes tids as strings or numbers and leaves out unknown ones", async () => {
    const { tid, o } = await fixture();
    const t = await info(tid);
    expect(t).toMatchObject({ tid: Number(tid), owner: o, creator: o, size: 4, tlevel: 300, muteType: 0 });
    const byNumber = (await ok(api, "superteam/getTinfos", { tids: JSON.stringify([Number(tid), "999999999"]) })).tinfos as unknown[];
    expect(byNumber).toHaveLength(1);
    expect(await ops(tid, o)).toEqual([401, 407]);
    expect((await ok(api, "superteam/joinTeams", { accid: o })).tinfos).toEqual([expect.objectContaining({ tid: Number(tid) })]);
  });

  it("bad input: 414 naming the parameter, and nothing changes", async () => {
    const { tid, o, m1 } = await fixture();
    const eleven = JSON.stringify(Array.from({ length: 11 }, (_, i) => `k${i}`));
    for (const [path, params, name] of [
      ["superteam/kick", { tid, owner: o, kickAccids: eleven }, "kickAccids"],
      ["superteam/addManager", { tid, owner: o, managerAccids: eleven }, "managerAccids"],
      ["superteam/muteTlist", { tid, owner: o, muteAccids: eleven, mute: "1" }, "muteAccids"],
      ["superteam/muteTlist", { tid, owner: o, muteAccids: JSON.stringify([m1]), mute: "2" }, "mute"],
      ["superteam/mute", { tid, owner: o, muteType: "2" }, "muteType"],
      ["superteam/getTlists", { tid, limit: "2001" }, "limit"],
      ["superteam/getTinfos", { tids: JSON.stringify(Array.from({ length: 21 }, (_, i) => String(i + 1))) }, "tids"],
      ["superteam/getTinfos", { tids: JSON.stringify(["abc"]) }, "tids"],
      ["superteam/create", { owner: o, inviteAccids: "[]", tname: "s", msg: "m", joinmode: "0" }, "inviteAccids"],
      ["superteam/create", { owner: o, inviteAccids: JSON.stringify([m1]), tname: "s", msg: "m", joinmode: "0", tlevel: "1" }, "tlevel"],
      ["superteam/create", { owner: o, inviteAccids: JSON.stringify([m1]), tname: "s", msg: "m", joinmode: "3" }, "joinmode"],
      ["superteam/changeLevel", { tid, owner: o, tlevel: "10001" }, "tlevel"],
      ["superteam/sendMsg", { tid, fromAccid: o, type: "0", body: "not json" }, "body"],
      ["superteam/changeOwner", { tid, owner: o, accid: m1, leave: "3" }, "leave"],
    ] as const) {
      const res = await api.call(path, params);
      expect(res.code, `${path} ${JSON.stringify(params)}`).toBe(414);
      expect(res.desc, path).toContain(name);
    }
    expect(await info(tid)).toMatchObject({ size: 4, muteType: 0 });
    expect(await ops(tid, o)).toEqual([401, 407]);
  });

  it("permissions: members may not invite (802), kick (802), mute or change the level; outsiders 804; the owner may not leave", async () => {
    const { tid, o, mg, m1, m2, x } = await fixture();
    expect(await code("superteam/invite", { tid, owner: m1, inviteAccids: JSON.stringify([x]), msg: "m" })).toBe(802);
    expect(await code("superteam/kick", { tid, owner: m1, kickAccids: JSON.stringify([m2]) })).toBe(802);
    expect(await code("superteam/kick", { tid, owner: mg, kickAccids: JSON.stringify([o]) })).toBe(802);
    expect(await code("superteam/kick", { tid, owner: o, kickAccids: JSON.stringify([x]) })).toBe(804);
    expect(await code("superteam/kick", { tid, owner: x, kickAccids: JSON.stringify([m1]) })).toBe(804);
    expect(await code("superteam/muteTlist", { tid, owner: m1, muteAccids: JSON.stringify([m2]), mute: "1" })).toBe(802);
    expect(await code("superteam/mute", { tid, owner: m1, muteType: "1" })).toBe(802);
    expect(await code("superteam/changeLevel", { tid, owner: mg, tlevel: "100" })).toBe(802);
    expect(await code("superteam/addManager", { tid, owner: mg, managerAccids: JSON.stringify([m1]) })).toBe(802);
    expect(await code("superteam/dismiss", { tid, owner: mg })).toBe(802);
    expect(await code("superteam/leave", { tid, accid: o })).toBe(802);
    expect(await code("superteam/sendMsg", { tid, fromAccid: x, type: "0", body: '{"msg":"hi"}' })).toBe(804);
    expect(await code("superteam/updateTinfo", { tid, owner: m1, tname: "n" })).toBe(802);
    expect(await code("superteam/getTinfos", { tids: JSON.stringify([tid]) })).toBe(200);
    expect(await info(tid)).toMatchObject({ size: 4, tname: "s" });
    expect(await ops(tid, o)).toEqual([401, 407]);
  });

  it("every action writes its notification: invite 401, kick 402, leave 403, update 404, change owner 406, managers 407/408, mute 409, dismiss 405", async () => {
    const { tid, o, mg, m1, m2, x } = await fixture();
    await ok(api, "superteam/invite", { tid, owner: mg, inviteAccids: JSON.stringify([x]), msg: "m" });
    await ok(api, "superteam/kick", { tid, owner: mg, kickAccids: JSON.stringify([x]) });
    await ok(api, "superteam/leave", { tid, accid: m2 });
    await ok(api, "superteam/updateTinfo", { tid, owner: o, tname: "renamed", serverCustom: '{"a":1}' });
    await ok(api, "superteam/muteTlist", { tid, owner: o, muteAccids: JSON.stringify([m1]), mute: "1" });
    expect(await code("superteam/sendMsg", { tid, fromAccid: m1, type: "0", body: '{"msg":"muted"}' })).toBe(812);
    await ok(api, "superteam/mute", { tid, owner: o, muteType: "1" });
    expect(await code("superteam/sendMsg", { tid, fromAccid: mg, type: "0", body: '{"msg":"manager"}' })).toBe(200);
    await ok(api, "superteam/removeManager", { tid, owner: o, managerAccids: JSON.stringify([mg]) });
    expect(await code("superteam/sendMsg", { tid, fromAccid: mg, type: "0", body: '{"msg":"now normal"}' })).toBe(812);
    await ok(api, "superteam/changeOwner", { tid, owner: o, accid: mg, leave: "1" });
    expect(await info(tid)).toMatchObject({ owner: mg, creator: o, tname: "renamed", serverCustom: '{"a":1}', size: 2, muteType: 1 });
    await ok(api, "superteam/dismiss", { tid, owner: mg });
    expect(await ops(tid, mg).catch(() => null)).toBeNull();
    expect((await ok(api, "superteam/getTinfos", { tids: JSON.stringify([tid]) })).tinfos).toEqual([]);
    expect((await ok(api, "superteam/joinTeams", { accid: m1 })).tinfos).toEqual([]);
  });

  it("notification ids in history: 401 402 403 404 409 404 408 406 403", async () => {
    const { tid, o, mg, m1, m2, x } = await fixture();
    await ok(api, "superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify([x]), msg: "m" });
    await ok(api, "superteam/kick", { tid, owner: o, kickAccids: JSON.stringify([x]) });
    await ok(api, "superteam/leave", { tid, accid: m2 });
    await ok(api, "superteam/updateTinfo", { tid, owner: o, intro: "i" });
    await ok(api, "superteam/muteTlist", { tid, owner: o, muteAccids: JSON.stringify([m1]), mute: "1" });
    await ok(api, "superteam/mute", { tid, owner: o, muteType: "3" });
    await ok(api, "superteam/removeManager", { tid, owner: o, managerAccids: JSON.stringify([mg]) });
    await ok(api, "superteam/changeOwner", { tid, owner: o, accid: m1, leave: "2" });
    expect(await ops(tid, m1)).toEqual([401, 407, 401, 402, 403, 404, 409, 404, 408, 406]);
  });

  it("limits: tlevel above the app's maximum 414; more than tlevel members 801; tlevel below the current size refused", async () => {
    const t = `l${n++}`;
    const names = Array.from({ length: 6 }, (_, i) => `${t}${i}`);
    await createUsers(api, ...names);
    const [o, a, b, c, d, e] = names as [string, string, string, string, string, string];
    expect(
      await code("superteam/create", { owner: o, inviteAccids: JSON.stringify([a]), tname: "s", msg: "m", joinmode: "0", tlevel: "301" }),
    ).toBe(414);
    expect(
      await code("superteam/create", {
        owner: o,
        inviteAccids: JSON.stringify([a, b, c]),
        tname: "s",
        msg: "m",
        joinmode: "0",
        tlevel: "3",
      }),
    ).toBe(801);
    const tid = await create(o, [a, b], { tlevel: "4" });
    await ok(api, "superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify([c]), msg: "m" });
    // The 5th member of a tlevel 4 team.
    expect(await code("superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify([d]), msg: "m" })).toBe(801);
    expect(await code("superteam/changeLevel", { tid, owner: o, tlevel: "3" })).toBe(414);
    expect(await code("superteam/changeLevel", { tid, owner: o, tlevel: "301" })).toBe(414);
    await ok(api, "superteam/changeLevel", { tid, owner: o, tlevel: "5" });
    await ok(api, "superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify([d]), msg: "m" });
    expect(await code("superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify([e]), msg: "m" })).toBe(801);
    expect(await info(tid)).toMatchObject({ size: 5, tlevel: 5 });
    // Unknown accounts are left out with faccid, not refused.
    await ok(api, "superteam/changeLevel", { tid, owner: o, tlevel: "10" });
    const r = await ok(api, "superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify([e, "nosuchone"]), msg: "m" });
    expect(r.faccid).toMatchObject({ accid: ["nosuchone"] });
    expect(await info(tid)).toMatchObject({ size: 6 });
  });

  it("getTlists and getMuteTlists page by join time, each member once, either direction", async () => {
    const t = `p${n++}`;
    const names = Array.from({ length: 251 }, (_, i) => `${t}${i}`);
    await createUsers(api, ...names);
    const [o, ...rest] = names as [string, ...string[]];
    const tid = await create(o, rest.slice(0, 199));
    await ok(api, "superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify(rest.slice(199)), msg: "m" });
    const walk = async (path: string, key: string, reverse: string, limit: number) => {
      const seen: string[] = [];
      let timetag = 0;
      for (;;) {
        const page = (await ok(api, path, { tid, timetag: String(timetag), limit: String(limit), reverse })) as unknown as Record<
          string,
          Member[]
        >;
        const list = page[key]!;
        expect(list.length).toBeLessThanOrEqual(limit);
        if (list.length === 0) break;
        seen.push(...list.map((m) => m.accid));
        timetag = list.at(-1)!.jointime;
        if (list.length < limit) break;
      }
      return seen;
    };
    const up = await walk("superteam/getTlists", "tlists", "1", 100);
    expect(up).toEqual(names);
    const down = await walk("superteam/getTlists", "tlists", "2", 77);
    expect(down).toEqual([...names].reverse());
    const muted = [rest[3]!, rest[100]!, rest[230]!];
    for (const a of muted) await ok(api, "superteam/muteTlist", { tid, owner: o, muteAccids: JSON.stringify([a]), mute: "1" });
    expect(await walk("superteam/getMuteTlists", "muteTlists", "1", 2)).toEqual(muted);
    const first = (await members(tid))[0]!;
    expect(first).toMatchObject({ accid: o, type: 1 });

    // Pages after kicks, a leave and joins (one of them a kicked member coming back) still list each member once, by join time.
    const late = `${t}late`;
    await createUsers(api, late);
    await ok(api, "superteam/kick", { tid, owner: o, kickAccids: JSON.stringify([rest[0], rest[150]]) });
    await ok(api, "superteam/leave", { tid, accid: rest[200]! });
    await ok(api, "superteam/invite", { tid, owner: o, inviteAccids: JSON.stringify([late, rest[0]]), msg: "m" });
    const now = [...names.filter((a) => a !== rest[0] && a !== rest[150] && a !== rest[200]), late, rest[0]!];
    expect(await walk("superteam/getTlists", "tlists", "1", 64)).toEqual(now);
    expect(await walk("superteam/getTlists", "tlists", "2", 100)).toEqual([...now].reverse());
    expect(await walk("superteam/getMuteTlists", "muteTlists", "2", 5)).toEqual([...muted].reverse());
  });

  it("updateTlist, updateTeamNick, sendMsg, recallMsg, queryHistoryMsgByIds, sendAttachMsg, delRoamSession type 3", async () => {
    const { tid, o, mg, m1, x } = await fixture();
    await ok(api, "superteam/updateTlist", { tid, accid: m1, nick: "mine", silentType: "1" });
    expect(await code("superteam/updateTeamNick", { tid, owner: m1, accid: mg, nick: "no" })).toBe(802);
    await ok(api, "superteam/updateTeamNick", { tid, owner: mg, accid: m1, nick: "given" });
    expect((await members(tid)).find((m) => m.accid === m1)).toMatchObject({ nick: "given", silentType: 1 });
    const sent = (await ok(api, "superteam/sendMsg", { tid, fromAccid: m1, type: "0", body: '{"msg":"hello"}' })).data as {
      msgid: number;
      timetag: number;
    };
    const kept = (await ok(api, "superteam/sendMsg", { tid, fromAccid: m1, type: "0", body: '{"msg":"kept"}' })).data as {
      msgid: number;
      timetag: number;
    };
    const byIds = async () =>
      (
        (
          await ok(api, "superteam/queryHistoryMsgByIds", {
            msgs: JSON.stringify([sent, kept].map((s) => ({ msgid: s.msgid, from: m1, to: Number(tid), time: s.timetag }))),
          })
        ).msgs as { msgid: number }[]
      ).map((m) => m.msgid);
    expect(await byIds()).toEqual([sent.msgid, kept.msgid]);
    expect(await code("superteam/recallMsg", { deleteMsgid: String(sent.msgid), timetag: String(sent.timetag), from: mg, to: tid })).toBe(
      414,
    );
    await ok(api, "superteam/recallMsg", { deleteMsgid: String(sent.msgid), timetag: String(sent.timetag), from: m1, to: tid });
    expect(await byIds()).toEqual([kept.msgid]);
    expect((await history(tid, o)).map((m) => m.msgid)).not.toContain(sent.msgid);
    expect(await code("superteam/queryHistoryMsg", { tid, accid: x, begintime: "0", endtime: FAR_FUTURE, limit: "10" })).toBe(804);
    await ok(api, "superteam/sendAttachMsg", { from: m1, to: tid, attach: '{"typing":true}' });
    expect(await code("superteam/sendAttachMsg", { from: x, to: tid, attach: '{"typing":true}' })).toBe(804);
    await ok(api, "msg/delRoamSession", { type: "3", from: m1, to: tid });
    expect(await code("msg/delRoamSession", { type: "3", from: x, to: tid })).toBe(804);
  });

  it("a restart keeps membership, roles, mutes and history", async () => {
    const { tid, o, mg, m1 } = await fixture();
    await ok(api, "superteam/muteTlist", { tid, owner: o, muteAccids: JSON.stringify([m1]), mute: "1" });
    await ok(api, "superteam/sendMsg", { tid, fromAccid: mg, type: "0", body: '{"msg":"before"}' });
    const before = await members(tid);
    await api.restart();
    expect(await members(tid)).toEqual(before);
    expect(await info(tid)).toMatchObject({ size: 4 });
    expect(await code("superteam/sendMsg", { tid, fromAccid: m1, type: "0", body: '{"msg":"muted"}' })).toBe(812);
    const after = await ok(api, "superteam/sendMsg", { tid, fromAccid: mg, type: "0", body: '{"msg":"after"}' });
    expect(after.code).toBe(200);
    const texts = (await history(tid, o)).filter((m) => m.type === 0).map((m) => JSON.parse(m.body).msg ?? m.body);
    expect(texts).toEqual(["before", "after"]);
  });
});
