import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connect, NimbusClientError, type NimbusClient } from "nimbus/client";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser } from "../support/users.ts";
import { AppServer, type Answer, type AppServerRequest } from "../support/app-server.ts";
import { waitUntil } from "../support/actor-system.ts";
import { ok } from "../support/teams.ts";

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof NimbusClientError) return err.code;
    throw err;
  }
}

/**
 * The callbacks before a device's team operations (NIM §4.3 eventTypes 7–19) and the data sync of
 * team messages and recalls (1 TEAM, 8), against a real app server in front of a real node, with
 * the operations made by real SDK clients.
 */
describe("team operation callbacks and team data sync to a real app server [sqlite]", () => {
  let app: AppServer;
  let api: ApiNode;
  let callbackAnswer: (r: AppServerRequest) => Answer;
  const devices: NimbusClient[] = [];

  async function device(accid: string): Promise<NimbusClient> {
    const { token } = await createUser(api, accid);
    const c = await connect({ url: api.url, appKey: api.appKey, accid, token, deviceId: `${accid}-pc`, clientType: "PC" });
    devices.push(c);
    return c;
  }
  /** The callbacks the app server got from index `from` on, as their bodies. */
  const calls = (from: number) => app.requests.slice(from).filter((r) => r.path === "/cb");
  const members = async (tid: string) => {
    const d = (await ok(api, "team/queryDetail", { tid })).tinfo as {
      owner: { accid: string };
      admins: { accid: string }[];
      members: { accid: string }[];
    };
    return [d.owner.accid, ...d.admins.map((m) => m.accid), ...d.members.map((m) => m.accid)].sort();
  };

  beforeAll(async () => {
    app = new AppServer();
    app.answer = (r) => (r.path === "/cb" ? callbackAnswer(r) : { status: 200, body: {} });
    await app.start();
    api = await startApiNode({
      backend: "sqlite",
      app: {
        limits: { teamMembers: 300 },
        hooks: { callback: { url: app.url("/cb"), timeoutMs: 1000, onFailure: "allow" }, dataSync: { url: app.url("/sync") } },
      },
    });
    app.secrets.set(api.appKey, api.appSecret);
  });
  afterAll(async () => {
    for (const d of devices) await d.logout().catch(() => undefined);
    await api?.close();
    await app?.stop();
  });
  beforeEach(() => {
    callbackAnswer = () => ({ body: { errCode: 0 } });
  });

  it("calls back each of a device's team operations (7–19) with its eventType, the team, the device and the operation's fields, signed", async () => {
    const [owner, mate, third, joiner] = [await device("cbo"), await device("cbm"), await device("cbt"), await device("cbj")];
    const start = app.requests.length;
    const { tid } = await owner.teams.create({ tname: "Guild", members: ["cbm", "cbt"], beinvitemode: 1, msg: "come" });
    await owner.teams.update(tid, { announcement: "hello", joinmode: 0 });
    await owner.teams.addManagers(tid, ["cbm"]);
    await owner.teams.removeManagers(tid, ["cbm"]);
    await owner.teams.muteMember(tid, "cbt", true);
    await mate.teams.updateMember(tid, { nick: "matey" });
    await owner.teams.updateMember(tid, { accid: "cbm", custom: "c1" });
    await owner.teams.kick(tid, ["cbt"]);
    await owner.teams.invite(tid, ["cbt"], "back");
    await joiner.teams.apply(tid, "let me in");
    await owner.teams.changeOwner(tid, "cbm", false);
    await owner.teams.leave(tid);
    await mate.teams.dismiss(tid);
    void third;

    const got = calls(start).filter((r) => r.body.eventType !== "2");
    expect(got.every((r) => r.signed && r.headers.AppKey === api.appKey)).toBe(true);
    expect(got.map((r) => Number(r.body.eventType))).toEqual([7, 15, 11, 12, 18, 16, 17, 14, 9, 19, 13, 10, 8]);
    const from = (accid: string) => ({
      fromAccount: accid,
      fromClientType: "PC",
      fromDeviceId: `${accid}-pc`,
      timestamp: expect.any(String),
    });
    expect(got[0]!.body).toEqual({
      eventType: "7",
      ...from("cbo"),
      tname: "Guild",
      inviteList: ["cbm", "cbt"],
      msg: "come",
      beinvitemode: "1",
    });
    expect(got[1]!.body).toEqual({ eventType: "15", tid, ...from("cbo"), announcement: "hello", joinmode: "0" });
    expect(got[2]!.body).toEqual({ eventType: "11", tid, ...from("cbo"), managerList: ["cbm"] });
    expect(got[4]!.body).toEqual({ eventType: "18", tid, ...from("cbo"), accid: "cbt", mute: "true" });
    expect(got[5]!.body).toEqual({ eventType: "16", tid, ...from("cbm"), accid: "cbm", nick: "matey" });
    expect(got[6]!.body).toEqual({ eventType: "17", tid, ...from("cbo"), accid: "cbm", custom: "c1" });
    expect(got[7]!.body).toEqual({ eventType: "14", tid, ...from("cbo"), kickList: ["cbt"] });
    expect(got[8]!.body).toEqual({ eventType: "9", tid, ...from("cbo"), inviteList: ["cbt"], msg: "back" });
    expect(got[9]!.body).toEqual({ eventType: "19", tid, ...from("cbj"), msg: "let me in" });
    expect(got[10]!.body).toEqual({ eventType: "13", tid, ...from("cbo"), newOwner: "cbm", leave: "false" });
    expect(got[11]!.body).toEqual({ eventType: "10", tid, ...from("cbo") });
    expect(got[12]!.body).toEqual({ eventType: "8", tid, ...from("cbm") });
  });

  it("a refusal stops the operation with 403 or the app's responseCode, and changes nothing", async () => {
    const [owner] = [await device("rfo"), await device("rfm")];
    const { tid } = await owner.teams.create({ tname: "Kept", members: ["rfm"], beinvitemode: 1 });
    await waitUntil(async () => (await members(tid)).length === 2, 5000, "the member to join");
    callbackAnswer = (r) => (r.body.eventType === "14" ? { body: { errCode: 1, responseCode: 20001 } } : { body: { errCode: 0 } });
    expect(await codeOf(owner.teams.kick(tid, ["rfm"]))).toBe(20001);
    expect(await members(tid)).toEqual(["rfm", "rfo"]);
    callbackAnswer = (r) => (r.body.eventType === "7" ? { body: { errCode: 1 } } : { body: { errCode: 0 } });
    const before = (await owner.teams.list()).length;
    expect(await codeOf(owner.teams.create({ tname: "Refused", members: [] }))).toBe(403);
    expect((await owner.teams.list()).length).toBe(before);
    callbackAnswer = (r) => (r.body.eventType === "15" ? { body: { errCode: 1 } } : { body: { errCode: 0 } });
    expect(await codeOf(owner.teams.update(tid, { tname: "Renamed" }))).toBe(403);
    expect(((await ok(api, "team/queryDetail", { tid })).tinfo as { tname: string }).tname).toBe("Kept");
  });

  it("never calls back the server API's team operations (NIM)", async () => {
    for (const u of ["sao", "sam"]) await createUser(api, u);
    const start = app.requests.length;
    const created = await ok(api, "team/create", {
      tname: "rest",
      owner: "sao",
      members: JSON.stringify(["sam"]),
      msg: "m",
      magree: "0",
      joinmode: "0",
    });
    const tid = created.tid as string;
    await ok(api, "team/kick", { tid, owner: "sao", member: "sam" });
    await ok(api, "team/update", { tid, owner: "sao", tname: "renamed" });
    await ok(api, "team/remove", { tid, owner: "sao" });
    expect(calls(start)).toEqual([]);
  });

  it("syncs a device's team message as eventType 1 (convType TEAM) and its recall as eventType 8", async () => {
    const owner = await device("syo");
    await device("sym");
    const { tid } = await owner.teams.create({ tname: "Sync", members: ["sym"], beinvitemode: 1 });
    const ack = await owner.sendText(`team:${tid}`, "to recall");
    await owner.recall(`team:${tid}`, ack.msgid);
    const mine = () =>
      app.events("/sync").filter((r) => r.body.to === tid && (r.body.eventType === "8" || r.body.msgidClient === ack.clientMsgId));
    await waitUntil(() => mine().length >= 2, 15_000, "the message and its recall synced");
    const [message, recall] = mine();
    expect(message!.body).toMatchObject({
      eventType: "1",
      convType: "TEAM",
      fromAccount: "syo",
      to: tid,
      msgType: "TEXT",
      body: "to recall",
      msgidServer: String(ack.msgid),
      fromClientType: "PC",
      fromDeviceId: "syo-pc",
    });
    expect(recall!.body).toEqual({
      eventType: "8",
      clientId: ack.clientMsgId,
      deleteTime: expect.any(String),
      from: "syo",
      fromClientType: "PC",
      msgId: String(ack.msgid),
      selfMsg: "true",
      sendTime: String(ack.time),
      to: tid,
      attach: "",
      eventId: expect.any(String),
    });
    expect(recall!.signed).toBe(true);
  });

  it("a team message's sync carries the members as of that message (tMembers) while the team has ≤ 200, and none past that", async () => {
    const owner = await device("tmo");
    await device("tm1");
    await device("tm2");
    const { tid } = await owner.teams.create({ tname: "Small", members: ["tm1", "tm2"], beinvitemode: 1 });
    await waitUntil(async () => (await members(tid)).length === 3, 5000, "the members to join");
    const first = await owner.sendText(`team:${tid}`, "three of us");
    await owner.teams.kick(tid, ["tm2"]);
    const second = await owner.sendText(`team:${tid}`, "two of us");
    const synced = (cmid: string) => app.events("/sync").find((r) => r.body.eventType === "1" && r.body.msgidClient === cmid);
    await waitUntil(() => synced(first.clientMsgId) !== undefined && synced(second.clientMsgId) !== undefined, 15_000, "both synced");
    expect((JSON.parse(synced(first.clientMsgId)!.body.tMembers as string) as string[]).sort()).toEqual(["tm1", "tm2", "tmo"]);
    expect((JSON.parse(synced(second.clientMsgId)!.body.tMembers as string) as string[]).sort()).toEqual(["tm1", "tmo"]);

    // 201 members: past NIM's 200, the member list is left out.
    const crowd = Array.from({ length: 200 }, (_, i) => `tmc${i}`);
    for (const accid of ["tmbig", ...crowd]) await createUser(api, accid);
    const big = await ok(api, "team/create", {
      tname: "Big",
      owner: "tmbig",
      members: JSON.stringify(crowd.slice(0, 199)),
      msg: "m",
      magree: "0",
      joinmode: "0",
    });
    const bigTid = big.tid as string;
    await ok(api, "msg/sendMsg", { from: "tmbig", ope: "1", to: bigTid, type: "0", body: JSON.stringify({ msg: "200 of us" }) });
    await ok(api, "team/add", { tid: bigTid, owner: "tmbig", members: JSON.stringify([crowd[199]]), magree: "0", msg: "m" });
    await ok(api, "msg/sendMsg", { from: "tmbig", ope: "1", to: bigTid, type: "0", body: JSON.stringify({ msg: "201 of us" }) });
    const bigSynced = () =>
      app.events("/sync").filter((r) => r.body.eventType === "1" && r.body.to === bigTid && r.body.msgType === "TEXT");
    await waitUntil(() => bigSynced().length === 2, 15_000, "both big team messages synced");
    const [at200, at201] = bigSynced();
    expect(at200!.body.body).toBe("200 of us");
    expect((JSON.parse(at200!.body.tMembers as string) as string[]).length).toBe(200);
    expect(at201!.body.body).toBe("201 of us");
    expect(at201!.body).not.toHaveProperty("tMembers");
  }, 60_000);
});
