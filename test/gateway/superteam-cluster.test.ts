import { it, expect } from "vitest";
import { describeWith } from "../support/services.ts";
import { sleep } from "./support.ts";
import { gatewayCluster } from "./cluster-support.ts";
import { Received, expectSameAsServer, range, serverHistory } from "./messaging-support.ts";

describeWith(["nats", "mongo"], "super teams across two node processes (real NATS and FerretDB)", () => {
  const cluster = gatewayCluster("superteamclusterapp", "super-team-cluster-secret", ["s1", "s2"]);

  it("members on two nodes, one invited while online: every member's device gets every message once, in order", async () => {
    const [n1, n2] = [cluster.nodes[0]!, cluster.nodes[1]!];
    const on = (i: number) => (i % 2 === 0 ? n1 : n2);
    const names = range(0, 11).map((i) => `sc${i}`);
    const tokens = await Promise.all(names.map((a, i) => cluster.createAccount(on(i), a)));
    // sc11 joins later, while its device is online (on s2): its node must start holding the subject.
    const res = await cluster.call(n1, "superteam/create", {
      tname: "s",
      owner: "sc0",
      inviteAccids: JSON.stringify(names.slice(1, 11)),
      msg: "m",
      joinmode: "0",
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const tid = String(res.tid);
    const conv = `superteam:${tid}`;
    const devices = await Promise.all(names.map((accid, i) => cluster.device(on(i), accid, tokens[i]!)));
    expect(new Set(devices.map((d) => d.session.nodeId))).toEqual(new Set(["s1", "s2"]));
    const invited = await cluster.call(n2, "superteam/invite", { tid, owner: "sc0", inviteAccids: JSON.stringify(["sc11"]), msg: "m" });
    expect(invited.code, JSON.stringify(invited)).toBe(200);
    await sleep(300);
    const seen = devices.map((c) => new Received(c));
    // Senders on both nodes, at once: seqs come from the one super team actor. Seq 1 and 2 are the invites.
    const acks = await Promise.all(range(1, 60).map((i) => devices[i % 4]!.sendText(conv, `m${i}`)));
    expect(acks.map((a) => a.seq).sort((x, y) => x - y)).toEqual(range(3, 62));
    for (const r of seen) await r.reach(conv, 62, 20_000);
    await sleep(300);
    const history = await serverHistory(devices[3]!, conv, 62);
    for (const r of seen)
      expectSameAsServer(
        r.of(conv).filter((m) => m.seq >= 3),
        history.slice(2),
      );
  }, 90_000);
});
