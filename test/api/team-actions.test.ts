import { it, expect, beforeAll, afterAll, describe } from "vitest";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers } from "../support/messaging.ts";
import { createTeam, notificationOps, ok, sendTeamText, teamHistory } from "../support/teams.ts";

/** Every team/* action with its notification, and each permission refusal with NIM's code. */
describe("server API: team/* actions, notifications and permission refusals [sqlite]", () => {
  let api: ApiNode;
  let n = 0;
  /** A fresh team: owner, manager, two normal members; and an outsider. */
  async function fixture() {
    const t = `a${n++}`;
    const [o, mg, m1, m2, x] = ["o", "g", "m", "n", "x"].map((s) => `${t}${s}`) as [string, string, string, string, string];
    await createUsers(api, o, mg, m1, m2, x);
    const tid = await createTeam(api, o, [mg, m1, m2]);
    await ok(api, "team/addManager", { tid, owner: o, members: JSON.stringify([mg]) });
    return { tid, o, mg, m1, m2, x };
  }
  const code = async (path: string, params: Record<string, string>) => (await api.call(path, params)).code;
  const detail = async (tid: string) => (await ok(api, "team/queryDetail", { tid })).tinfo as Record<string, unknown>;
  const memberIds = async (tid: string) => {
    const d = (await detail(tid)) as { owner: { accid: string }; admins: { accid: string }[]; members: { accid: string }[] };
    return { owner: d.owner.accid, admins: d.admins.map((m) => m.accid), members: d.members.map((m) => m.accid) };
  };

  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
  });
  afterAll(async () => api.close());

  it("add: the owner adds (op 0); a normal member may not under invitemode 0 (802); members already in: 809; unknown accounts: 404", async () => {
    const { tid, o, m1, x } = await fixture();
    expect(await code("team/add", { tid, owner: m1, members: JSON.stringify([x]), magree: "0", msg: "m" })).toBe(802);
    await ok(api, "team/add", { tid, owner: o, members: JSON.stringify([x]), magree: "0", msg: "m" });
    expect((await memberIds(tid)).members).toContain(x);
    expect(await code("team/add", { tid, owner: o, members: JSON.stringify([x]), magree: "0", msg: "m" })).toBe(809);
    expect(await code("team/add", { tid, owner: o, members: JSON.stringify(["nosuchone"]), magree: "0", msg: "m" })).toBe(404);
    expect(await notificationOps(api, tid, o)).toEqual([0, 7, 0]);
    // invitemode 1: any member may add.
    const [y] = [`${tid}y`];
    await createUsers(api, y);
    await ok(api, "team/update", { tid, owner: o, invitemode: "1" });
    await ok(api, "team/add", { tid, owner: m1, members: JSON.stringify([y]), magree: "0", msg: "m" });
  });

  it("add with magree 1 invites: nobody joins until they accept", async () => {
    const { tid, o, x } = await fixture();
    await ok(api, "team/add", { tid, owner: o, members: JSON.stringify([x]), magree: "1", msg: "please" });
    expect((await memberIds(tid)).members).not.toContain(x);
    expect(await notificationOps(api, tid, o)).toEqual([0, 7]);
  });

  it("kick: owner and managers (op 1); a manager may not kick a manager, a member may not kick at all (802); outsiders 804", async () => {
    const { tid, o, mg, m1, m2, x } = await fixture();
    expect(await code("team/kick", { tid, owner: m1, member: m2 })).toBe(802);
    expect(await code("team/kick", { tid, owner: mg, member: o })).toBe(802);
    expect(await code("team/kick", { tid, owner: o, member: x })).toBe(804);
    await ok(api, "team/kick", { tid, owner: mg, member: m2 });
    expect((await memberIds(tid)).members).toEqual([m1]);
    expect(await notificationOps(api, tid, o)).toEqual([0, 7, 1]);
    expect((await sendTeamText(api, tid, m2, "still here?")).code).toBe(804);
    const joined = await ok(api, "team/joinTeams", { accid: m2 });
    expect(joined.count).toBe(0);
  });

  it("remove: owner only (802); then the team refuses everything (803) and is in nobody's list", async () => {
    const { tid, o, mg, m1 } = await fixture();
    expect(await code("team/remove", { tid, owner: mg })).toBe(802);
    await ok(api, "team/remove", { tid, owner: o });
    expect(await code("team/queryDetail", { tid })).toBe(803);
    expect(await code("team/query", { tids: JSON.stringify([tid]), ope: "0" })).toBe(803);
    expect(await ok(api, "team/query", { tids: JSON.stringify([tid]), ope: "0", ignoreInvalid: "true" })).toMatchObject({ tinfos: [] });
    expect((await sendTeamText(api, tid, m1, "hello?")).code).toBe(803);
    expect(await code("team/add", { tid, owner: o, members: JSON.stringify([m1]), magree: "0", msg: "m" })).toBe(803);
    expect((await ok(api, "team/joinTeams", { accid: o })).count).toBe(0);
    expect((await ok(api, "team/joinTeams", { accid: m1 })).count).toBe(0);
  });

  it("update: by uptinfomode / upcustommode (802 for members while 0); op 3 with what changed", async () => {
    const { tid, o, m1 } = await fixture();
    expect(await code("team/update", { tid, owner: m1, tname: "mine" })).toBe(802);
    await ok(api, "team/update", { tid, owner: o, tname: "renamed", announcement: "news", uptinfomode: "1" });
    await ok(api, "team/update", { tid, owner: m1, intro: "by a member" });
    expect(await code("team/update", { tid, owner: m1, custom: "x" })).toBe(802);
    expect(await code("team/update", { tid, owner: m1, joinmode: "2" })).toBe(802);
    expect(await detail(tid)).toMatchObject({ tname: "renamed", announcement: "news", intro: "by a member", uptinfomode: 1 });
    const last = (await teamHistory(api, tid, o)).at(-1)!;
    expect(JSON.parse(last.body)).toEqual({ id: 3, data: { tid, operator: m1, tinfo: { intro: "by a member" } } });
    expect(await code("team/update", { tid, owner: o, teamMemberLimit: "3" })).toBe(414);
  });

  it("changeOwner: owner only; leave 2 stays as a member, leave 1 leaves (op 6 then 2)", async () => {
    const { tid, o, mg, m1, x } = await fixture();
    expect(await code("team/changeOwner", { tid, owner: mg, newowner: m1, leave: "2" })).toBe(802);
    expect(await code("team/changeOwner", { tid, owner: o, newowner: x, leave: "2" })).toBe(804);
    await ok(api, "team/changeOwner", { tid, owner: o, newowner: m1, leave: "2" });
    expect(await memberIds(tid)).toMatchObject({ owner: m1, admins: [mg] });
    expect((await memberIds(tid)).members).toContain(o);
    await ok(api, "team/changeOwner", { tid, owner: m1, newowner: o, leave: "1" });
    expect((await memberIds(tid)).owner).toBe(o);
    expect(JSON.stringify(await memberIds(tid))).not.toContain(`"${m1}"`);
    expect((await notificationOps(api, tid, o)).slice(-3)).toEqual([6, 6, 2]);
  });

  it("managers: owner only (802), at most 10 (815); ops 7 and 8", async () => {
    const { tid, o, mg, m1 } = await fixture();
    expect(await code("team/addManager", { tid, owner: mg, members: JSON.stringify([m1]) })).toBe(802);
    await ok(api, "team/removeManager", { tid, owner: o, members: JSON.stringify([mg]) });
    expect((await memberIds(tid)).admins).toEqual([]);
    const many = Array.from({ length: 10 }, (_, i) => `${tid}k${i}`);
    await createUsers(api, ...many);
    await ok(api, "team/add", { tid, owner: o, members: JSON.stringify(many), magree: "0", msg: "m" });
    expect(await code("team/addManager", { tid, owner: o, members: JSON.stringify(many.slice(0, 10)) })).toBe(200);
    expect(await code("team/addManager", { tid, owner: o, members: JSON.stringify([m1]) })).toBe(815);
    expect((await notificationOps(api, tid, o)).slice(1)).toEqual([7, 8, 0, 7]);
  });

  it("updateTeamNick, muteTeam and listMemberInfo: a member's own settings", async () => {
    const { tid, o, mg, m1, m2 } = await fixture();
    await ok(api, "team/updateTeamNick", { tid, owner: m1, accid: m1, nick: "me", custom: "c" });
    expect(await code("team/updateTeamNick", { tid, owner: m2, accid: m1, nick: "you" })).toBe(802);
    expect(await code("team/updateTeamNick", { tid, owner: mg, accid: o, nick: "boss" })).toBe(802);
    await ok(api, "team/muteTeam", { tid, accid: m1, ope: "1" });
    const info = await ok(api, "team/listMemberInfo", { tid, accids: JSON.stringify([m1]) });
    expect(info.data).toEqual([expect.objectContaining({ accid: m1, nick: "me", custom: "c", pushEnable: false, mute: false })]);
  });

  it("the sender's account: muted for teams or globally 423, blocked 422, unknown 404; muted for p2p only may still send", async () => {
    const { tid, m1, m2 } = await fixture();
    // Each change is read by the next send at once (the user actor's shared admission view).
    await ok(api, "user/muteModule", { accid: m1, muteTeam: "true" });
    expect((await sendTeamText(api, tid, m1, "x")).code).toBe(423);
    await ok(api, "user/muteModule", { accid: m1, muteTeam: "false", muteP2P: "true" });
    expect((await sendTeamText(api, tid, m1, "x")).code).toBe(200);
    await ok(api, "user/mute", { accid: m1, mute: "true" });
    expect((await sendTeamText(api, tid, m1, "x")).code).toBe(423);
    await ok(api, "user/mute", { accid: m1, mute: "false" });
    expect((await sendTeamText(api, tid, m1, "x")).code).toBe(200);
    await ok(api, "user/block", { accid: m2 });
    expect((await sendTeamText(api, tid, m2, "x")).code).toBe(422);
    expect((await sendTeamText(api, tid, "nosuchsender", "x")).code).toBe(404);
  });

  it("muteTlist and muteTlistAll: muted members are refused 812; muteType 1 spares managers, 3 mutes the owner too", async () => {
    const { tid, o, mg, m1, m2 } = await fixture();
    expect(await code("team/muteTlist", { tid, owner: m2, accid: m1, mute: "1" })).toBe(802);
    await ok(api, "team/muteTlist", { tid, owner: mg, accid: m1, mute: "1" });
    expect((await sendTeamText(api, tid, m1, "x")).code).toBe(812);
    expect((await ok(api, "team/listTeamMute", { tid, owner: o })).mutes).toEqual([{ accid: m1, nick: "", tid: Number(tid), type: 1 }]);
    await ok(api, "team/muteTlist", { tid, owner: mg, accid: m1, mute: "0" });
    expect((await sendTeamText(api, tid, m1, "x")).code).toBe(200);
    await ok(api, "team/muteTlistAll", { tid, owner: o, muteType: "1" });
    expect((await sendTeamText(api, tid, m2, "x")).code).toBe(812);
    expect((await sendTeamText(api, tid, mg, "x")).code).toBe(200);
    await ok(api, "team/muteTlistAll", { tid, owner: o, muteType: "3" });
    expect((await sendTeamText(api, tid, o, "x")).code).toBe(812);
    await ok(api, "team/muteTlistAll", { tid, owner: o, mute: "false" });
    expect((await sendTeamText(api, tid, m2, "x")).code).toBe(200);
    expect((await notificationOps(api, tid, o)).slice(2)).toEqual([10, 10, 3, 3, 3]);
  });

  it("leave: not the owner (802); a member leaves with op 2", async () => {
    const { tid, o, m1 } = await fixture();
    expect(await code("team/leave", { tid, accid: o })).toBe(802);
    await ok(api, "team/leave", { tid, accid: m1 });
    expect(await code("team/leave", { tid, accid: m1 })).toBe(804);
    expect((await notificationOps(api, tid, o)).at(-1)).toBe(2);
  });

  it("markReadTeamMsg and getMarkReadInfo: read and unread members of a message", async () => {
    const { tid, o, mg, m1, m2 } = await fixture();
    const sent = await sendTeamText(api, tid, o, "read me");
    const msgid = (sent.data as { msgid: number }).msgid;
    const r = await ok(api, "msg/markReadTeamMsg", { accid: m1, tid, msgids: JSON.stringify([msgid, 999999999]) });
    expect(r.data).toEqual({ errMsgIds: [999999999] });
    const info = await ok(api, "team/getMarkReadInfo", { tid, msgid: String(msgid), fromAccid: o, snapshot: "true" });
    expect(info.data).toEqual({ readSize: 1, unreadSize: 2, readAccids: [m1], unreadAccids: [mg, m2] });
  });

  it("query ope 0 / 1, listOnlineUsers and listOnlineUserCount with nobody online", async () => {
    const { tid, o, mg, m1, m2 } = await fixture();
    const q0 = await ok(api, "team/query", { tids: JSON.stringify([tid]), ope: "0" });
    expect(q0.tinfos).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    const q1 = await ok(api, "team/query", { tids: JSON.stringify([Number(tid)]), ope: "1" });
    expect(q1.tinfos).toEqual([expect.objectContaining({ owner: o, admins: [mg], members: [m1, m2], size: 4 })]);
    expect(await ok(api, "team/listOnlineUsers", { tid })).toEqual({ code: 200, data: { count: 0, status: {} } });
    expect(await ok(api, "team/listOnlineUserCount", { tids: JSON.stringify([tid]) })).toMatchObject({
      data: [{ tid: Number(tid), onlineUserCount: 0, offlineUserCount: 4 }],
    });
  });

  it("team sessions in history/querySessionList, with unread counts", async () => {
    const { tid, o, m1 } = await fixture();
    await sendTeamText(api, tid, o, "one");
    await sendTeamText(api, tid, o, "two");
    const list = await ok(api, "history/querySessionList", { accid: m1, needLastMsg: "1" });
    const sessions = (list.data as { sessions: Record<string, unknown>[] }).sessions;
    expect(sessions).toEqual([expect.objectContaining({ sessionType: 1, tid: Number(tid), unreadCount: 4, lastMsgType: "TEXT" })]);
  });

  it("delMsgOneWay type 14: the message is gone for every member but its sender", async () => {
    const { tid, o, m1, m2 } = await fixture();
    const sent = await sendTeamText(api, tid, m1, "for me only now");
    const { msgid, timetag } = sent.data as { msgid: number; timetag: number };
    expect(await code("msg/delMsgOneWay", { deleteMsgid: String(msgid), timetag: String(timetag), type: "14", from: o, to: tid })).toBe(
      414,
    );
    await ok(api, "msg/delMsgOneWay", { deleteMsgid: String(msgid), timetag: String(timetag), type: "14", from: m1, to: tid });
    expect((await teamHistory(api, tid, m1)).map((m) => m.msgid)).toContain(msgid);
    expect((await teamHistory(api, tid, m2)).map((m) => m.msgid)).not.toContain(msgid);
    expect((await teamHistory(api, tid, o)).map((m) => m.msgid)).not.toContain(msgid);
  });

  it("recall type 8: the app server recalls a team message for everyone", async () => {
    const { tid, o, m1 } = await fixture();
    const sent = await sendTeamText(api, tid, m1, "oops");
    const { msgid, timetag } = sent.data as { msgid: number; timetag: number };
    await ok(api, "msg/recall", { deleteMsgid: String(msgid), timetag: String(timetag), type: "8", from: m1, to: tid });
    // The server API's history no longer has it (as NIM); devices keep a marker for their recall event.
    expect((await teamHistory(api, tid, o)).map((m) => m.msgid)).not.toContain(msgid);
    const page = await api.node.messaging.history(api.appKey, { accid: o, conv: { kind: "team", id: tid }, limit: 100, order: "desc" });
    expect(page.find((m) => m.msgid === msgid)).toMatchObject({ recalled: true });
  });

  it("delRoamSession type 2: the team leaves the member's session list, read, until its next message; a non-member gets 804", async () => {
    const { tid, o, m1 } = await fixture();
    await sendTeamText(api, tid, o, "before");
    const sessions = async (accid: string) =>
      (
        (await ok(api, "history/querySessionList", { accid })).data as { sessions: { tid?: number; unreadCount: number }[] }
      ).sessions.filter((s) => String(s.tid) === tid); // NIM's tid is a number there
    expect((await sessions(m1)).map((s) => s.unreadCount)).toEqual([expect.any(Number)]);
    await ok(api, "msg/delRoamSession", { type: "2", from: m1, to: tid });
    expect(await sessions(m1)).toEqual([]);
    expect(await sessions(o)).toHaveLength(1); // only m1's list
    await sendTeamText(api, tid, o, "after");
    expect((await sessions(m1)).map((s) => s.unreadCount)).toEqual([1]);
    await createUsers(api, "roamer");
    expect(await api.call("msg/delRoamSession", { type: "2", from: "roamer", to: tid })).toMatchObject({ code: 804 });
  });

  it("delMsg type 8: the app server deletes a team message for every member, once, and only its sender's", async () => {
    const { tid, o, m1 } = await fixture();
    const sent = await sendTeamText(api, tid, m1, "gone for all");
    const kept = await sendTeamText(api, tid, m1, "kept");
    const { msgid, timetag } = sent.data as { msgid: number; timetag: number };
    const del = { deleteMsgid: String(msgid), timetag: String(timetag), type: "8", from: m1, to: tid };
    // Not the sender's message: refused naming from, nothing changes.
    expect(await api.call("msg/delMsg", { ...del, from: o })).toMatchObject({ code: 414, desc: expect.stringMatching(/^from: /) });
    expect((await teamHistory(api, tid, o)).map((m) => m.msgid)).toContain(msgid);
    expect(await api.call("msg/delMsg", { ...del, to: "team-x" })).toMatchObject({ code: 414, desc: expect.stringMatching(/^to: /) });
    await ok(api, "msg/delMsg", del);
    await ok(api, "msg/delMsg", del); // an app server's retry is answered alike
    for (const who of [o, m1]) {
      const ids = (await teamHistory(api, tid, who)).map((m) => m.msgid);
      expect(ids).not.toContain(msgid);
      expect(ids).toContain((kept.data as { msgid: number }).msgid);
    }
    const devices = await api.node.messaging.history(api.appKey, { accid: o, conv: { kind: "team", id: tid }, limit: 100, order: "desc" });
    expect(devices.map((m) => m.msgid)).not.toContain(msgid);
  });
});

describe("server API: team limits from the app's config [sqlite]", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite", app: { limits: { teamMembers: 3, createdTeamsPerUser: 2, joinedTeamsPerUser: 3 } } });
    await createUsers(api, "lo", "l1", "l2", "l3", "l4");
  });
  afterAll(async () => api.close());

  it("members past the team's limit (801), created teams past the limit (806), joined teams past it (faccid): nothing changes", async () => {
    expect(
      (
        await api.call("team/create", {
          tname: "t",
          owner: "lo",
          members: JSON.stringify(["l1", "l2", "l3"]),
          msg: "m",
          magree: "0",
          joinmode: "0",
        })
      ).code,
    ).toBe(801);
    expect((await ok(api, "team/joinTeams", { accid: "lo" })).count).toBe(0);
    const t1 = await createTeam(api, "lo", ["l1", "l2"]);
    expect((await api.call("team/add", { tid: t1, owner: "lo", members: JSON.stringify(["l3"]), magree: "0", msg: "m" })).code).toBe(801);
    expect(
      await api.call("team/create", {
        tname: "t",
        owner: "lo",
        members: JSON.stringify(["l1"]),
        msg: "m",
        magree: "0",
        joinmode: "0",
        teamMemberLimit: "4",
      }),
    ).toMatchObject({ code: 414 });
    await createTeam(api, "lo", ["l1"]);
    expect(
      (await api.call("team/create", { tname: "t", owner: "lo", members: JSON.stringify(["l1"]), msg: "m", magree: "0", joinmode: "0" }))
        .code,
    ).toBe(806);
    // l1 is in 2 teams; a third is the most; a fourth is refused for l1 only.
    const t3 = await createTeam(api, "l2", ["l1"]);
    const t4 = await ok(api, "team/create", {
      tname: "t",
      owner: "l3",
      members: JSON.stringify(["l1", "l4"]),
      msg: "m",
      magree: "0",
      joinmode: "0",
    });
    expect(t4.faccid).toEqual({ accid: ["l1"], msg: expect.any(String) });
    expect((await ok(api, "team/joinTeams", { accid: "l1" })).count).toBe(3);
    expect(t3).toMatch(/^\d+$/);
  });
});

describe("server API: teams survive a restart [sqlite]", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
    await createUsers(api, "ro", "r1", "r2");
  });
  afterAll(async () => api.close());

  it("membership, settings, mutes and history are as they were; seqs go on", async () => {
    const tid = await createTeam(api, "ro", ["r1", "r2"]);
    await ok(api, "team/addManager", { tid, owner: "ro", members: JSON.stringify(["r1"]) });
    await ok(api, "team/muteTlist", { tid, owner: "ro", accid: "r2", mute: "1" });
    await sendTeamText(api, tid, "r1", "before");
    const before = await ok(api, "team/queryDetail", { tid });
    await api.restart();
    expect(await ok(api, "team/queryDetail", { tid })).toEqual(before);
    expect((await ok(api, "team/joinTeams", { accid: "r2" })).count).toBe(1);
    expect((await sendTeamText(api, tid, "r2", "muted")).code).toBe(812);
    await sendTeamText(api, tid, "ro", "after");
    const msgs = await teamHistory(api, tid, "r2");
    expect(msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(msgs.slice(-2).map((m) => JSON.parse(m.body).msg)).toEqual(["before", "after"]);
  });
});
