import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Message, NimbusClient, SuperTeamNotification } from "nimbus/client";
import { startGatewayNode, until, type GatewayNode } from "./support.ts";
import { Received, range } from "./messaging-support.ts";
import { inBatches } from "../support/batches.ts";

/** Members of the large super team; SUPER_TEAM_TEST_MEMBERS lowers it on a slow machine. */
const MEMBERS = Number(process.env.SUPER_TEAM_TEST_MEMBERS ?? 10_000);
/** Of them, online through SDK clients. */
const ONLINE = 300;

describe("gateway super teams: a 10,000-member super team, a few hundred online", () => {
  let gw: GatewayNode;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    gw = await startGatewayNode({ ratePerSecond: 10_000, rateBurst: 10_000 });
  });
  afterAll(async () => gw.close());

  async function call(path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const res = await gw.call(path, params);
    expect(res.code, `${path}: ${JSON.stringify(res)}`).toBe(200);
    return res as unknown as Record<string, unknown>;
  }

  it("members created over REST; every online device gets every message once and in order; one bus publish per message", async () => {
    const names = range(0, MEMBERS - 1).map((i) => `st${i}`);
    // Accounts in batches: those that go online keep their token.
    await inBatches(names, 64, async (a) => tokens.set(a, await gw.createAccount(a)));
    const [owner, ...rest] = names as [string, ...string[]];
    const tid = String(
      (
        await call("superteam/create", {
          owner,
          inviteAccids: JSON.stringify(rest.slice(0, 199)),
          tname: "big",
          msg: "m",
          joinmode: "0",
          tlevel: String(MEMBERS),
        })
      ).tid,
    );
    const chunks: string[][] = [];
    for (let i = 199; i < rest.length; i += 200) chunks.push(rest.slice(i, i + 200));
    await inBatches(chunks, 4, (c) => call("superteam/invite", { tid, owner, inviteAccids: JSON.stringify(c), msg: "m" }));
    const info = ((await call("superteam/getTinfos", { tids: JSON.stringify([tid]) })).tinfos as { size: number }[])[0]!;
    expect(info.size).toBe(MEMBERS);
    // The 10,001st member is refused.
    await gw.createAccount("stextra");
    expect((await gw.call("superteam/invite", { tid, owner, inviteAccids: JSON.stringify(["stextra"]), msg: "m" })).code).toBe(801);

    // Online: the owner and members spread over the whole list.
    const step = Math.max(1, Math.floor(MEMBERS / ONLINE));
    const online = range(0, ONLINE - 1).map((i) => names[i * step]!);
    const clients = await inBatches(online, 25, async (a) => {
      const c = await gw.device(a, tokens.get(a)!, `${a}-d`);
      await c.synced();
      return c;
    });
    const conv = `superteam:${tid}`;
    const seen = clients.map((c) => new Received(c));
    const notes: SuperTeamNotification[] = [];
    clients[1]!.on("superTeamNotification", (n) => notes.push(n));

    const bus = gw.node.bus;
    const publish = bus.publish.bind(bus);
    let publishes = 0;
    let end = 0;
    bus.publish = (subject, data) => {
      if (subject === `superteam.${gw.appKey}.${tid}`) publishes++;
      publish(subject, data);
    };
    try {
      const senders: NimbusClient[] = [clients[0]!, clients[ONLINE >> 1]!, clients[ONLINE - 1]!];
      const first = (await senders[0]!.sendText(conv, "m0")).seq;
      for (let i = 1; i < 30; i++) await senders[i % 3]!.sendText(conv, `m${i}`);
      const last = first + 29;
      // And one from the app server, and a notification (mute of a member): in order with the rest.
      await call("superteam/sendMsg", { tid, fromAccid: owner, type: "0", body: '{"msg":"rest"}' });
      await call("superteam/muteTlist", { tid, owner, muteAccids: JSON.stringify([names[MEMBERS - 1]!]), mute: "1" });
      end = last + 2;
      for (const [i, s] of seen.entries()) await s.reach(conv, end, 30_000, online[i]);
      for (const [i, s] of seen.entries()) {
        const msgs = s.of(conv).filter((m: Message) => m.seq >= first);
        expect(
          msgs.map((m) => m.seq),
          online[i],
        ).toEqual(range(first, end));
        expect(msgs.slice(0, 30).map((m) => m.body.msg)).toEqual(range(0, 29).map((k) => `m${k}`));
      }
      expect(publishes).toBe(32);
      await until(() => notes.some((n) => n.op === 409), 5000, "the mute notification event");
      expect(notes.find((n) => n.op === 409)).toMatchObject({ tid, data: { ids: [names[MEMBERS - 1]], mute: true } });
    } finally {
      bus.publish = publish;
    }

    // A member's conversation list shows the super team with its unread count, read positions on a read mark only.
    const convs = await clients[2]!.conversations();
    // Everything after it joined is unread until it marks it read.
    const mine = convs.find((c) => c.conv === conv);
    expect(mine).toMatchObject({ peer: tid, lastSeq: end });
    expect(mine!.unread).toBe(end - mine!.readSeq);
    expect(mine!.unread).toBeGreaterThanOrEqual(32);
    await clients[2]!.markRead(conv, end);
    expect((await clients[2]!.conversations()).find((c) => c.conv === conv)).toMatchObject({ readSeq: end, unread: 0 });
    // Another member's position did not move.
    expect((await clients[3]!.conversations()).find((c) => c.conv === conv)!.unread).toBeGreaterThanOrEqual(32);
    const history = await clients[2]!.history(conv, { limit: 5, order: "desc" });
    expect(history.map((m) => m.seq)).toEqual(range(end - 4, end).reverse());
  }, 240_000);
});
