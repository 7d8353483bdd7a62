import { describe, it, expect, afterEach } from "vitest";
import type { NimbusClient } from "nimbus/client";
import { dropSocket, next, sleep, startGatewayNode, type GatewayNode } from "./support.ts";
import { Received, expectSameAsServer, range, serverHistory } from "./messaging-support.ts";

const PER_SIDE = 300;
/** Sent by each side before one of ann's devices drops; the rest flow while it is away. */
const BEFORE_DROP = 50;

describe("gateway messaging: two users writing to each other at once", () => {
  let gw: GatewayNode | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it("ends with the same gap-free, ordered conversation on every device as on the server", async () => {
    // A resume buffer big enough for the whole run: the dropped device must catch up by resuming.
    gw = await startGatewayNode({ ratePerSecond: 100_000, rateBurst: 100_000, resumeBufferFrames: 2 * PER_SIDE });
    const node = gw;
    const [ta, tb] = [await node.createAccount("ann"), await node.createAccount("ben")];
    const devices: NimbusClient[] = [
      await node.device("ann", ta, "a1"),
      await node.device("ann", ta, "a2", { reconnect: { minDelayMs: 100, jitter: 0 } }),
      await node.device("ben", tb, "b1"),
      await node.device("ben", tb, "b2"),
    ];
    await Promise.all(devices.map((d) => d.synced()));
    const seen = devices.map((d) => new Received(d));
    const [a1, a2, b1] = [devices[0]!, devices[1]!, devices[2]!];

    const send = (from: number, to: number) => [
      ...range(from, to).map((i) => a1.sendText("ben", `ann ${i}`)),
      ...range(from, to).map((i) => b1.sendText("ann", `ben ${i}`)),
    ];
    const early = send(1, BEFORE_DROP);
    // One of ann's devices loses its link in the middle of it, while both sides keep sending, and resumes.
    await seen[1]!.reach("ann|ben", 10);
    let away = true;
    const resumed = next(a2, "reconnected").then((r) => {
      away = false;
      return r;
    });
    dropSocket(a2);
    const late = send(BEFORE_DROP + 1, PER_SIDE);
    // Messages stored while the device was away: it can only have them from its resume.
    let storedWhileAway = 0;
    for (const p of late) void p.then(() => away && storedWhileAway++);
    const acks = await Promise.all([...early, ...late]);
    await resumed;
    expect(storedWhileAway).toBeGreaterThan(0);
    const total = 2 * PER_SIDE;
    expect(acks.map((a) => a.seq).sort((x, y) => x - y)).toEqual(range(1, total));

    for (const [i, r] of seen.entries()) await r.reach("ann|ben", total, 20_000, `device ${i}`);
    await sleep(300);
    const history = await serverHistory(b1, "ann", total);
    expect(history.map((m) => m.seq)).toEqual(range(1, total));
    for (const r of seen) expectSameAsServer(r.of("ann|ben"), history);
    // Every message of each side is there once (pipelined sends may be numbered in any order).
    const bodies = (from: string) => new Set(history.filter((m) => m.from === from).map((m) => m.body.msg));
    expect(bodies("ann").size).toBe(PER_SIDE);
    expect(bodies("ben").size).toBe(PER_SIDE);
    expect(await resumed).toMatchObject({ resumed: true, lost: 0 });
    for (const d of devices) expect(d.syncState().cursors).toEqual({ "ann|ben": total });
  });
});
