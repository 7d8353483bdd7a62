import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers } from "../support/messaging.ts";
import { createTeam, ok, sendTeamText, teamHistory } from "../support/teams.ts";

describeOnEachStore("server API: team/* basics and team messages", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "o1", "m1", "m2", "m3", "x1");
  });
  afterAll(async () => api.close());

  it("creates a team: answers a tid; query and queryDetail show it as NIM does", async () => {
    const res = await ok(api, "team/create", {
      tname: "Guild",
      owner: "o1",
      members: JSON.stringify(["m1", "m2"]),
      msg: "join",
      magree: "0",
      joinmode: "1",
      announcement: "hello",
      intro: "about",
      custom: "c",
      teamMemberLimit: "50",
    });
    expect(res).toEqual({ code: 200, tid: expect.stringMatching(/^\d+$/) });
    const tid = res.tid as string;
    const q = await ok(api, "team/query", { tids: JSON.stringify([tid]), ope: "1" });
    expect(q.tinfos).toEqual([
      expect.objectContaining({
        tid: Number(tid),
        tname: "Guild",
        owner: "o1",
        size: 3,
        maxusers: 50,
        joinmode: 1,
        beinvitemode: 0,
        invitemode: 0,
        announcement: "hello",
        intro: "about",
        custom: "c",
        muteType: 0,
        admins: [],
        members: ["m1", "m2"],
      }),
    ]);
    const d = await ok(api, "team/queryDetail", { tid });
    const tinfo = d.tinfo as { owner: { accid: string; type: number }; members: { accid: string }[] };
    expect(tinfo.owner).toMatchObject({ accid: "o1", type: 1 });
    expect(tinfo.members.map((m) => m.accid)).toEqual(["m1", "m2"]);
    const joined = await ok(api, "team/joinTeams", { accid: "m1" });
    expect(joined).toMatchObject({ count: 1, infos: [{ tid: Number(tid), tname: "Guild", owner: "o1", size: 3 }] });
  });

  it("team messages: sent with ope 1, in the team's history in order after the invite notification", async () => {
    const tid = await createTeam(api, "o1", ["m1", "m2"]);
    for (const [i, from] of ["o1", "m1", "m2"].entries()) {
      const res = await sendTeamText(api, tid, from, `hi ${i}`);
      expect(res).toEqual({ code: 200, data: { msgid: expect.any(Number), timetag: expect.any(Number), antispam: false } });
    }
    const msgs = await teamHistory(api, tid, "m2");
    expect(msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(msgs[0]!.type).toBe(5);
    expect(JSON.parse(msgs[0]!.body)).toMatchObject({ id: 0, data: { tid, operator: "o1", ids: ["o1", "m1", "m2"] } });
    expect(msgs.slice(1).map((m) => JSON.parse(m.body).msg)).toEqual(["hi 0", "hi 1", "hi 2"]);
    // A non-member may neither send nor read.
    expect((await sendTeamText(api, tid, "x1", "no")).code).toBe(804);
    expect((await api.call("history/queryTeamMsg", { tid, accid: "x1", begintime: "0", endtime: "9999999999999", limit: "10" })).code).toBe(
      804,
    );
  });
});
