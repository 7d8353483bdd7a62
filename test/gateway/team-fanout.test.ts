import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Message, NimbusClient } from "nimbus/client";
import { startGatewayNode, until, type GatewayNode } from "./support.ts";
import { Received, range } from "./messaging-support.ts";
import { inBatches } from "../support/batches.ts";

describe("gateway teams: fan-out to a 200-member team, offline sync", () => {
  let gw: GatewayNode;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    gw = await startGatewayNode({ ratePerSecond: 10_000, rateBurst: 10_000 });
  });
  afterAll(async () => gw.close());

  async function accounts(names: string[]): Promise<void> {
    await inBatches(names, 20, async (a) => tokens.set(a, await gw.createAccount(a)));
  }

  async function createTeam(owner: string, members: string[]): Promise<string> {
    const res = await gw.call("team/create", { tname: "t", owner, members: JSON.stringify(members), msg: "m", magree: "0", joinmode: "0" });
    expect(res.code, JSON.stringify(res)).toBe(200);
    return res.tid as string;
  }

  async function device(accid: string, deviceId = `${accid}-d`, extra: Parameters<GatewayNode["device"]>[3] = {}): Promise<NimbusClient> {
    const c = await gw.device(accid, tokens.get(accid)!, deviceId, extra);
    await c.synced();
    return c;
  }

  it("every online member's device gets every message once, in order; one bus publish per message", async () => {
    const names = range(0, 199).map((i) => `f${i}`);
    await accounts(names);
    const [owner, ...members] = names as [string, ...string[]];
    const tid = await createTeam(owner, members);
    const conv = `team:${tid}`;
    const clients = await inBatches(names, 20, (a) => device(a));
    const seen = clients.map((c) => new Received(c));

    // Count what goes on the team's subject: the fan-out must be one publish per message.
    const bus = gw.node.bus;
    const publish = bus.publish.bind(bus);
    let teamPublishes = 0;
    bus.publish = (subject, data) => {
      if (subject === `team.${gw.appKey}.${tid}`) teamPublishes++;
      publish(subject, data);
    };
    try {
      const senders = [clients[0]!, clients[57]!, clients[199]!];
      const acks = [];
      for (let i = 0; i < 30; i++) acks.push(await senders[i % 3]!.sendText(conv, `m${i}`));
      // The invite notification is seq 1; the 30 messages are 2..31.
      expect(acks.map((a) => a.seq)).toEqual(range(2, 31));
      for (const [i, s] of seen.entries()) await s.reach(conv, 31, 20_000, names[i]);
      for (const [i, s] of seen.entries()) {
        const msgs = s.of(conv).filter((m: Message) => m.seq >= 2);
        expect(
          msgs.map((m) => m.seq),
          names[i],
        ).toEqual(range(2, 31));
        expect(msgs.map((m) => m.body.msg)).toEqual(range(0, 29).map((i) => `m${i}`));
      }
      expect(teamPublishes).toBe(30);
    } finally {
      bus.publish = publish;
    }
  }, 120_000);

  it("a member offline during 150 messages gets the newest 100 at login, in order", async () => {
    await accounts(["g0", "g1"]);
    const tid = await createTeam("g0", ["g1"]);
    const conv = `team:${tid}`;
    const away = await device("g1", "g1-phone");
    await until(() => away.syncState().cursors[conv] === 1, 5000, "the invite notification");
    const saved = away.syncState();
    await away.logout();
    const sender = await device("g0");
    for (let i = 0; i < 150; i++) await sender.sendText(conv, `o${i}`);
    // seq 1 is the invite; 2..151 the messages.
    const back = await gw.device("g1", tokens.get("g1")!, "g1-phone", { syncState: saved });
    const got = new Received(back);
    await back.synced();
    await until(() => (got.of(conv).at(-1)?.seq ?? 0) >= 151, 10_000, "the sync");
    expect(got.seqs(conv)).toEqual(range(52, 151));
    const convs = await back.conversations();
    expect(convs.find((c) => c.conv === conv)).toMatchObject({ lastSeq: 151, unread: 151 });
  }, 60_000);

  it("a member who joined later is handed at login only what came after they joined (roaming and offline alike)", async () => {
    await accounts(["j0", "j1", "j2"]);
    const tid = await createTeam("j0", ["j1"]);
    const conv = `team:${tid}`;
    const sender = await device("j0");
    for (let i = 0; i < 5; i++) await sender.sendText(conv, `early ${i}`);
    const added = await gw.call("team/add", { tid, owner: "j0", members: JSON.stringify(["j2"]), magree: "0", msg: "m" });
    expect(added.code).toBe(200);
    await sender.sendText(conv, "late");
    // seq 1 invite, 2..6 early, 7 the invite of j2, 8 late.
    // A device that holds a cursor (of another conversation) syncs by the offline rules; one without, by roaming.
    await sender.sendText("j2", "p2p");
    for (const syncState of [undefined, { cursors: { "j0|j2": 1 }, notificationCursor: 0 }]) {
      const late = await gw.device("j2", tokens.get("j2")!, `j2-${syncState ? "offline" : "roaming"}`, syncState ? { syncState } : {});
      const got = new Received(late);
      await late.synced();
      await until(() => got.seqs(conv).includes(8), 5000, "the sync");
      expect(got.seqs(conv)).toEqual([7, 8]);
      await late.logout();
    }
  });
});
