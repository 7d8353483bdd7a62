import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { NimbusClientError, type NimbusClient, type TeamNotification } from "nimbus/client";
import { next, record, sleep, startGatewayNode, until, type GatewayNode } from "./support.ts";
import { Received } from "./messaging-support.ts";

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof NimbusClientError) return err.code;
    throw err;
  }
}

/** The ops of the team notifications a client emitted for `tid`, in order. */
function opsOf(events: TeamNotification[], tid: string): number[] {
  return events.filter((e) => e.tid === tid).map((e) => e.op);
}

describe("gateway teams: SDK flows — invitations, applications, kicks, dismissal", () => {
  let gw: GatewayNode;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    gw = await startGatewayNode({ ratePerSecond: 10_000, rateBurst: 10_000 });
  });
  afterAll(async () => gw.close());

  async function device(accid: string): Promise<NimbusClient> {
    if (!tokens.has(accid)) tokens.set(accid, await gw.createAccount(accid));
    const c = await gw.device(accid, tokens.get(accid)!, `${accid}-d`);
    await c.synced();
    return c;
  }

  it("an invitation needing consent: the invitee hears of it, accepts (op 9), and then gets the team's messages", async () => {
    const [owner, guest] = [await device("io"), await device("ig")];
    const ownerNotes = record(owner, "teamNotification");
    const invited = next(guest, "event");
    const { tid } = await owner.teams.create({ tname: "Guild", members: ["ig"] });
    const invite = await invited;
    expect(invite).toEqual({ type: "teamInvite", body: { tid, from: "io", msg: "" } });
    expect((await owner.teams.get(tid)).members.map((m) => m.accid)).toEqual(["io"]);
    expect(await guest.teams.answerInvite(tid, true)).toEqual({ joined: true });
    await until(() => opsOf(ownerNotes, tid).join() === "0,9", 5000, "the owner to hear the invite and the acceptance");
    expect((await guest.teams.list()).map((t) => t.tid)).toEqual([tid]);
    const got = new Received(guest);
    await owner.sendText(`team:${tid}`, "welcome");
    await got.reach(`team:${tid}`, 3);
    expect(got.of(`team:${tid}`).at(-1)).toMatchObject({ from: "io", to: tid, body: { msg: "welcome" } });
    // Answering an invitation that is no longer there: 807.
    expect(await codeOf(guest.teams.answerInvite(tid, true))).toBe(807);
  });

  it("beinvitemode 1: invitees join at once and get messages; a rejected invitation joins nobody", async () => {
    const [owner, a, b] = [await device("bo"), await device("ba"), await device("bb")];
    const seen = new Received(a);
    const { tid } = await owner.teams.create({ tname: "Open", members: ["ba"], beinvitemode: 1 });
    await seen.reach(`team:${tid}`, 1);
    await owner.sendText(`team:${tid}`, "hi");
    await seen.reach(`team:${tid}`, 2);
    await owner.teams.update(tid, { beinvitemode: 0 });
    const asked = next(b, "event");
    expect(await owner.teams.invite(tid, ["bb"])).toEqual({ added: [], invited: ["bb"] });
    await asked;
    expect(await b.teams.answerInvite(tid, false)).toEqual({ joined: false });
    expect((await owner.teams.get(tid)).members.map((m) => m.accid).sort()).toEqual(["ba", "bo"]);
  });

  it("applications: joinmode 0 joins at once, 1 waits for a manager (op 5 when passed), 2 is refused (802)", async () => {
    const [owner, p, q, r] = [await device("ao"), await device("ap"), await device("aq"), await device("ar")];
    const { tid } = await owner.teams.create({ tname: "Clan", members: [], joinmode: 1 });
    const applied = next(owner, "event");
    expect(await p.teams.apply(tid, "let me in")).toEqual({ joined: false });
    expect(await applied).toEqual({ type: "teamApply", body: { tid, accid: "ap", msg: "let me in" } });
    expect(await codeOf(q.teams.answerApply(tid, "ap", true))).toBe(804);
    const notes = record(owner, "teamNotification");
    expect(await owner.teams.answerApply(tid, "ap", true)).toEqual({ joined: true });
    await until(() => opsOf(notes, tid).includes(5), 5000, "op 5");
    expect(await codeOf(p.teams.apply(tid))).toBe(809);
    await owner.teams.update(tid, { joinmode: 0 });
    expect(await q.teams.apply(tid)).toEqual({ joined: true });
    await owner.teams.update(tid, { joinmode: 2 });
    expect(await codeOf(r.teams.apply(tid))).toBe(802);
  });

  it("kick: the kicked member hears of it (op 1) and gets nothing more; members may not kick (802)", async () => {
    const [owner, k, s] = [await device("ko"), await device("kk"), await device("ks")];
    const kickedSeen = new Received(k);
    const kickedNotes = record(k, "teamNotification");
    const stay = new Received(s);
    const { tid } = await owner.teams.create({ tname: "K", members: ["kk", "ks"], beinvitemode: 1 });
    const conv = `team:${tid}`;
    expect(await codeOf(s.teams.kick(tid, ["kk"]))).toBe(802);
    await owner.teams.kick(tid, ["kk"]);
    await until(() => opsOf(kickedNotes, tid).includes(1), 5000, "the kicked member's op 1");
    await sleep(50);
    await owner.sendText(conv, "after the kick");
    await stay.reach(conv, 3);
    await sleep(200);
    expect(stay.seqs(conv)).toEqual([1, 2, 3]);
    expect(kickedSeen.seqs(conv)).toEqual([1, 2]);
    expect(await codeOf(k.sendText(conv, "let me back"))).toBe(804);
    expect(await codeOf(k.history(conv))).toBe(804);
  });

  it("dismiss: owner only; every member hears op 4, then the team refuses (803)", async () => {
    const [owner, m] = [await device("do"), await device("dm")];
    const { tid } = await owner.teams.create({ tname: "D", members: ["dm"], beinvitemode: 1 });
    const notes = record(m, "teamNotification");
    expect(await codeOf(m.teams.dismiss(tid))).toBe(802);
    await owner.teams.dismiss(tid);
    await until(() => opsOf(notes, tid).includes(4), 5000, "op 4");
    expect(await codeOf(m.sendText(`team:${tid}`, "anyone?"))).toBe(803);
    expect(await m.teams.list()).toEqual([]);
  });

  it("owner transfer, managers, mutes and nicks over the link", async () => {
    const [owner, a, b] = [await device("to"), await device("ta"), await device("tb")];
    const notes = record(b, "teamNotification");
    const { tid } = await owner.teams.create({ tname: "T", members: ["ta", "tb"], beinvitemode: 1 });
    await owner.teams.addManagers(tid, ["ta"]);
    await a.teams.muteMember(tid, "tb", true);
    expect(await codeOf(b.sendText(`team:${tid}`, "x"))).toBe(812);
    await owner.teams.muteAll(tid, 0);
    await a.teams.muteMember(tid, "tb", false);
    await b.teams.updateMember(tid, { nick: "bee" });
    await owner.teams.changeOwner(tid, "ta", false);
    expect(await codeOf(owner.teams.dismiss(tid))).toBe(802);
    const view = await b.teams.get(tid);
    expect(view.info.owner).toBe("ta");
    expect(view.members.find((m) => m.accid === "tb")).toMatchObject({ nick: "bee", mute: false });
    await until(() => opsOf(notes, tid).length >= 6, 5000, "the notifications");
    expect(opsOf(notes, tid)).toEqual([0, 7, 10, 3, 10, 6]);
  });

  it("msg/sendAttachMsg msgtype 1: a member's custom notification reaches the team's online devices, not outsiders", async () => {
    const [owner, m, out] = [await device("no"), await device("nm"), await device("nx")];
    const { tid } = await owner.teams.create({ tname: "N", members: ["nm"], beinvitemode: 1 });
    const heard = record(m, "notification");
    const outsider = record(out, "notification");
    expect((await gw.call("msg/sendAttachMsg", { from: "nx", msgtype: "1", to: tid, attach: '{"k":1}' })).code).toBe(804);
    expect((await gw.call("msg/sendAttachMsg", { from: "no", msgtype: "1", to: tid, attach: '{"k":2}' })).code).toBe(200);
    await until(() => heard.length === 1, 5000, "the notification");
    // NIM's save defaults to 2: stored once for the team, numbered per team.
    expect(heard[0]).toMatchObject({ from: "no", to: tid, tid, seq: 1, attach: '{"k":2}', stored: true });
    expect((await gw.call("msg/sendAttachMsg", { from: "no", msgtype: "1", to: tid, attach: '{"k":3}', save: "1" })).code).toBe(200);
    await until(() => heard.length === 2, 5000, "the online-only notification");
    expect(heard[1]).toMatchObject({ attach: '{"k":3}', stored: false, seq: 0 });
    expect(outsider).toEqual([]);
  });

  it("msg/sendAttachMsg msgtype 1 save 2: a member offline gets the team's stored notifications at login, once, and only those after its cursor", async () => {
    const [owner, m] = [await device("so"), await device("sm")];
    const { tid } = await owner.teams.create({ tname: "S", members: ["sm"], beinvitemode: 1 });
    const heard = record(m, "notification");
    expect((await gw.call("msg/sendAttachMsg", { from: "so", msgtype: "1", to: tid, attach: "one" })).code).toBe(200);
    await until(() => heard.length === 1, 5000, "the first notification, live");
    const saved = m.syncState();
    expect(saved.teamNotificationCursors).toEqual({ [tid]: 1 });
    await m.logout();
    for (const attach of ["two", "three"])
      expect((await gw.call("msg/sendAttachMsg", { from: "so", msgtype: "1", to: tid, attach })).code).toBe(200);
    expect((await gw.call("msg/sendAttachMsg", { from: "so", msgtype: "1", to: tid, attach: "gone", save: "1" })).code).toBe(200);
    // Back with its saved state: the two it missed, in order, not the one it had nor the online-only one.
    const back = await gw.device("sm", tokens.get("sm")!, "sm-d", { syncState: saved });
    const caught = record(back, "notification");
    await back.synced();
    await until(() => caught.length >= 2, 5000, "the missed notifications");
    await sleep(200);
    expect(caught.map((n) => [n.attach, n.seq, n.tid])).toEqual([
      ["two", 2, tid],
      ["three", 3, tid],
    ]);
    // A new device of the member (no cursors) gets all three; an outsider's sync has none of them.
    const fresh = await gw.device("sm", tokens.get("sm")!, "sm-new");
    const all = record(fresh, "notification");
    await fresh.synced();
    await until(() => all.length >= 3, 5000, "every stored notification");
    expect(all.map((n) => n.attach)).toEqual(["one", "two", "three"]);
  });

  it("msg/sendAttachMsg msgtype 1 save 2: a member's new device is never handed the team's notifications from before the member joined", async () => {
    const [owner, , late] = [await device("jo"), await device("jf"), await device("jl")];
    const { tid } = await owner.teams.create({ tname: "J", members: ["jf"], beinvitemode: 1 });
    const send = async (attach: string) =>
      expect((await gw.call("msg/sendAttachMsg", { from: "jo", msgtype: "1", to: tid, attach })).code).toBe(200);
    await send("before-1");
    await owner.sendText(`team:${tid}`, "a message between");
    await send("before-2");
    await owner.teams.invite(tid, ["jl"]);
    await until(async () => (await late.teams.list()).some((t) => t.tid === tid), 5000, "the late member to join");
    await send("after-1");
    await owner.sendText(`team:${tid}`, "another message");
    await send("after-2");

    const lateNew = await gw.device("jl", tokens.get("jl")!, "jl-new");
    const lateHeard = record(lateNew, "notification");
    await lateNew.synced();
    await until(() => lateHeard.length >= 2, 5000, "the late member's notifications");
    const founderNew = await gw.device("jf", tokens.get("jf")!, "jf-new");
    const founderHeard = record(founderNew, "notification");
    await founderNew.synced();
    await until(() => founderHeard.length >= 4, 5000, "the founder's notifications");
    await sleep(200);
    expect(lateHeard.filter((n) => n.tid === tid).map((n) => n.attach)).toEqual(["after-1", "after-2"]);
    expect(founderHeard.filter((n) => n.tid === tid).map((n) => n.attach)).toEqual(["before-1", "before-2", "after-1", "after-2"]);
    // The late member's cursor starts at the first of its own, so a later sync hands nothing older either.
    expect(lateNew.syncState().teamNotificationCursors).toEqual({ [tid]: 4 });
  });
});
