import { it, expect } from "vitest";
import { describeWith } from "../support/services.ts";
import { sleep } from "./support.ts";
import { gatewayCluster } from "./cluster-support.ts";
import { Received, expectSameAsServer, range, serverHistory } from "./messaging-support.ts";

describeWith(["nats", "mongo"], "teams across two node processes (real NATS and FerretDB)", () => {
  const cluster = gatewayCluster("teamclusterapp", "team-cluster-secret", ["t1", "t2"]);
  const { nodes } = cluster;
  const call = cluster.call;
  const createAccount = cluster.createAccount;

  it("members on two nodes: every member's device gets every message once, in order", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const names = range(0, 9).map((i) => `c${i}`);
    const tokens = await Promise.all(names.map((a, i) => createAccount(i % 2 === 0 ? n1 : n2, a)));
    const res = await call(n1, "team/create", {
      tname: "t",
      owner: "c0",
      members: JSON.stringify(names.slice(1)),
      msg: "m",
      magree: "0",
      joinmode: "0",
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const conv = `team:${res.tid as string}`;
    const devices = await Promise.all(names.map((accid, i) => cluster.device(i % 2 === 0 ? n1 : n2, accid, tokens[i]!)));
    expect(new Set(devices.map((d) => d.session.nodeId))).toEqual(new Set(["t1", "t2"]));
    const seen = devices.map((c) => new Received(c));
    // Senders on both nodes, at once: seqs come from the one team actor.
    const acks = await Promise.all(range(1, 60).map((i) => devices[i % 4]!.sendText(conv, `m${i}`)));
    expect(acks.map((a) => a.seq).sort((x, y) => x - y)).toEqual(range(2, 61));
    for (const r of seen) await r.reach(conv, 61, 20_000);
    await sleep(300);
    const history = await serverHistory(devices[3]!, conv, 61);
    for (const r of seen)
      expectSameAsServer(
        r.of(conv).filter((m) => m.seq >= 2),
        history.slice(1),
      );
  }, 90_000);
});
