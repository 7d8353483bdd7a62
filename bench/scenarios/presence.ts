import { Agent } from "node:http";
import { loadavg } from "node:os";
import { decode } from "@msgpack/msgpack";
import { ferretHandlerFrom, findBinary, processTree, startFerretDb, startNatsServer } from "../../test/support/processes.ts";
import { connectNatsBus } from "../../src/bus/mod.ts";
import { PRESENCE_EVENT, presenceSubject, type PresencePush } from "../../src/protocol/presence-events.ts";
import { createAccounts, readCpuMs, startNodeUnderTest, type Account, type NodeUnderTest } from "../lib/node-under-test.ts";
import { LeanDevice } from "../lib/lean-client.ts";
import type { BenchResult } from "../lib/report.ts";

/** The bus prefix a node uses unless configured otherwise (config/default.json). */
const BUS_PREFIX = "nimbus";
const CELEB = "celeb";

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await work(items[i]!, i);
      }
    }),
  );
}

async function retried(call: () => Promise<{ code: number }>, attempts = 3): Promise<void> {
  for (let i = 1; ; i++) {
    const r = await call();
    if (r.code === 200) return;
    if (i >= attempts) throw new Error(`gave up after ${attempts} tries: ${JSON.stringify(r)}`);
  }
}

interface ProcessGroup {
  name: string;
  pids(): number[];
}

/** CPU seconds each group has used so far; a process gone meanwhile is left out. */
function cpuOf(groups: readonly ProcessGroup[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of groups) {
    let ms = 0;
    for (const pid of g.pids()) {
      try {
        ms += readCpuMs(pid);
      } catch {
        // exited
      }
    }
    out.set(g.name, ms);
  }
  return out;
}

/**
 * A setup phase's progress on stderr, every `every` items, so a long setup can be watched; at the
 * end, the CPU each process group used in it, to show where its time went.
 */
function progress(phase: string, total: number, groups: readonly ProcessGroup[], every = 1000): { tick(): void; perSecond(): number } {
  const t0 = performance.now();
  const cpu0 = cpuOf(groups);
  let done = 0;
  return {
    tick() {
      done++;
      if (done % every === 0 || done === total)
        console.error(`presence setup: ${phase} ${done}/${total} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (done === total) {
        const cpu = [...cpuOf(groups)].map(([name, ms]) => `${name} ${((ms - (cpu0.get(name) ?? 0)) / 1000).toFixed(1)}`);
        console.error(`presence setup: ${phase} CPU s: ${cpu.join(", ")}`);
      }
    },
    perSecond: () => Math.round(done / ((performance.now() - t0) / 1000)),
  };
}

/**
 * Creates an account; when a busy node times the call out (408), the account may exist anyway,
 * so its token is then refreshed instead.
 */
async function ensureAccount(node: NodeUnderTest, accid: string): Promise<Account> {
  for (let attempt = 1; ; attempt++) {
    const r = await node.call(attempt === 1 ? "user/create" : "user/refreshToken", { accid });
    const token = (r.info as { token?: string } | undefined)?.token;
    if (r.code === 200 && token) return { accid, token };
    if (attempt > 1 && r.code === 404) return ensureAccount(node, accid);
    if (attempt >= 4) throw new Error(`user/create ${accid}: ${JSON.stringify(r)}`);
  }
}

/**
 * `presence`: one publisher goes online with N subscribers (BENCH_DEVICES, 10,000; 1,000 with
 * --quick), each with one device, half on each of two nodes (node processes on a real nats-server
 * and one FerretDB). Every subscriber subscribed over the server API before; the publisher's login
 * starts the clock, which stops when the last subscriber device has the `presence` push of it;
 * every device must have it exactly once (checked a moment after the last, so a late duplicate
 * counts). Counted on NATS meanwhile: messages on the publisher's presence subject (the design
 * says one), and every bus message of the cluster in that window (membership heartbeats and the
 * login's own actor asks included). The devices are lean clients in this process.
 *
 * FerretDB runs over PostgreSQL unless BENCH_FERRETDB_HANDLER=sqlite: FerretDB 1.x's SQLite
 * handler pushes down only `_id` equality, so every actor activation's snapshot load (a find on
 * `actor` sorted by version) scans the whole snapshots collection, and a setup that activates
 * 3 actors per subscriber grows quadratically (BENCHMARKS.md, issue 19). Nothing measured in the
 * clocked window touches the store but the publisher's own login. BENCH_SETUP_CONCURRENCY (32)
 * bounds the setup's calls and logins in flight; BENCH_CPU_PROF=<dir> profiles each node over
 * each setup phase.
 */
export async function runPresence(quick: boolean): Promise<BenchResult> {
  const natsBin = findBinary("nats-server");
  const ferretBin = findBinary("ferretdb");
  if (!natsBin || !ferretBin) throw new Error("presence needs nats-server and ferretdb (on PATH or in Go's bin)");
  const n = Number(process.env.BENCH_DEVICES) || (quick ? 1000 : 10_000);
  const handler = ferretHandlerFrom(process.env.BENCH_FERRETDB_HANDLER || "postgresql");
  const concurrency = Number(process.env.BENCH_SETUP_CONCURRENCY) || 32;

  const nats = await startNatsServer(natsBin);
  const ferret = await startFerretDb(ferretBin, handler);
  const nodes: NodeUnderTest[] = [];
  const devices: LeanDevice[] = [];
  const spy = await connectNatsBus({ url: nats.url, name: "bench-presence-spy", prefix: BUS_PREFIX });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const env = { NIMBUS_NATS_URL: nats.url, NIMBUS_MONGO_URL: ferret.url };
    nodes.push(await startNodeUnderTest({ nodeId: "bench-a", env }), await startNodeUnderTest({ nodeId: "bench-b", env }));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const h = (await (await fetch(`${nodes[0]!.url}/healthz`)).json()) as { members?: string[] };
      if ((h.members?.length ?? 0) >= 2) break;
      if (Date.now() > deadline) throw new Error(`cluster did not form: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const [ferretPid, ...backendPids] = ferret.pids?.() ?? [];
    const groups: ProcessGroup[] = [
      { name: "node a", pids: () => [nodes[0]!.pid] },
      { name: "node b", pids: () => [nodes[1]!.pid] },
      { name: "ferretdb", pids: () => (ferretPid ? [ferretPid] : []) },
      ...(handler === "postgresql" ? [{ name: "postgres", pids: () => processTree(backendPids[0]) }] : []),
      { name: "nats", pids: () => nats.pids?.() ?? [] },
      { name: "bench (clients)", pids: () => [process.pid] },
    ];
    const [celeb] = await createAccounts(nodes[0]!, [CELEB]);
    const fans: Account[] = new Array(n);
    // BENCH_CPU_PROF=<dir>: a CPU profile of each node over each setup phase.
    await Promise.all(nodes.map((x) => x.profileStart()));
    const creating = progress("user/create", n, groups);
    await inParallel(
      Array.from({ length: n }, (_, i) => `fan${i}`),
      concurrency,
      async (accid, i) => {
        fans[i] = await ensureAccount(nodes[i % 2]!, accid);
        creating.tick();
      },
    );
    const createsPerSecond = creating.perSecond();
    await Promise.all(nodes.map((x, i) => x.profileStop(`presence-create-${"ab"[i]}.cpuprofile`)));
    await Promise.all(nodes.map((x) => x.profileStart()));
    const subscribing = progress("event/subscribe/add", n, groups);
    await inParallel(fans, concurrency, async (f, i) => {
      const r = await nodes[i % 2]!.call("event/subscribe/add", {
        accid: f.accid,
        eventType: "1",
        publisherAccids: JSON.stringify([CELEB]),
        ttl: "86400",
      });
      // Renewing is harmless, so a call a busy node timed out (408) is simply made again.
      if (r.code !== 200)
        await retried(() =>
          nodes[0]!.call("event/subscribe/add", { accid: f.accid, eventType: "1", publisherAccids: JSON.stringify([CELEB]), ttl: "86400" }),
        );
      subscribing.tick();
    });
    const subscribesPerSecond = subscribing.perSecond();
    await Promise.all(nodes.map((x, i) => x.profileStop(`presence-subscribe-${"ab"[i]}.cpuprofile`)));
    await Promise.all(nodes.map((x) => x.profileStart()));

    let clockStart = 0;
    let received = 0;
    let last = 0;
    let allIn: () => void = () => undefined;
    const everyone = new Promise<void>((r) => (allIn = r));
    let synced = 0;
    /** How many times each subscriber device has had the publisher's change. */
    const got = new Uint16Array(n);
    const onPushOf = (i: number) => (type: string, body: Uint8Array) => {
      if (type === PRESENCE_EVENT && clockStart === 0) synced++;
      if (type !== PRESENCE_EVENT || clockStart === 0) return;
      const push = decode(body) as PresencePush;
      if (!push.events.some((e) => e.accid === CELEB && e.online && !e.sync)) return;
      const before = got[i]!;
      got[i] = before + 1;
      if (before > 0) return;
      received++;
      last = performance.now();
      if (received === n) allIn();
    };
    const loggingIn = progress("login", n, groups);
    // Each login waits for its login sync, so the nodes are done with the logins when the clock
    // starts; a login refused by a busy node (408) is tried again.
    await inParallel(fans, 16, async (f: Account, i) => {
      for (let attempt = 1; ; attempt++) {
        try {
          devices.push(
            await LeanDevice.login({
              url: nodes[i % 2]!.url,
              agent,
              appKey: nodes[0]!.appKey,
              accid: f.accid,
              token: f.token,
              deviceId: `d-${f.accid}`,
              clientType: "WEB",
              onMessage: () => undefined,
              onPush: onPushOf(i),
              waitForSync: true,
            }),
          );
          loggingIn.tick();
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
        }
      }
    });
    const loginsPerSecond = loggingIn.perSecond();
    await Promise.all(nodes.map((x, i) => x.profileStop(`presence-login-${"ab"[i]}.cpuprofile`)));
    // The presence syncs of the logins too.
    const settled = Date.now() + 60_000;
    while (synced < n && Date.now() < settled) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    if (synced < n) console.error(`presence setup: only ${synced} of ${n} login syncs arrived`);

    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ");
    let presenceMessages = 0;
    let busMessages = 0;
    spy.subscribe(presenceSubject(nodes[0]!.appKey, CELEB), () => presenceMessages++);
    spy.subscribe(">", () => busMessages++);
    await spy.flush();
    clockStart = performance.now();
    const celebDevice = await LeanDevice.login({
      url: nodes[0]!.url,
      agent,
      appKey: nodes[0]!.appKey,
      accid: CELEB,
      token: celeb!.token,
      deviceId: "celeb-phone",
      clientType: "IOS",
      onMessage: () => undefined,
    });
    devices.push(celebDevice);
    const welcomed = performance.now();
    const timeout = new Promise<void>((_, reject) =>
      setTimeout(
        () =>
          reject(
            new Error(
              `only ${received} of ${n} devices had the event (${synced} login syncs before; ${presenceMessages} presence and ${busMessages} bus messages)`,
            ),
          ),
        60_000,
      ),
    );
    await Promise.race([everyone, timeout]);
    await spy.flush();
    const windowBus = busMessages;
    const windowPresence = presenceMessages;
    // A late second copy would count here: every device must have the change exactly once.
    await new Promise((r) => setTimeout(r, 2000));
    const twice = got.reduce((a, c) => a + (c > 1 ? 1 : 0), 0);
    const never = got.reduce((a, c) => a + (c === 0 ? 1 : 0), 0);
    if (twice > 0 || never > 0) throw new Error(`${never} devices never had the event and ${twice} had it more than once`);
    const fromLogin = last - clockStart;
    const fromWelcome = last - welcomed;
    return {
      scenario: "presence",
      note:
        `one publisher logs in with ${n} subscribers, one lean device each, half on each of two node processes on one nats-server and one FerretDB (${handler} handler); ` +
        `the clock runs from the publisher's login request to the last subscriber device having its presence push; every device had it exactly once (checked 2 s after the last). ` +
        `Load average ${load} (1/5/15 min) when the clock started; setup: ${concurrency} calls or logins in flight.`,
      rows: [
        {
          label: `${n} subscribers on 2 nodes`,
          "devices with the event once": received,
          "ms to the last device (from login)": Math.round(fromLogin),
          "ms to the last device (from welcome)": Math.round(fromWelcome),
          "bus messages on the presence subject": windowPresence,
          "bus messages in all, that window": windowBus,
          "user/create calls/s (setup)": createsPerSecond,
          "subscribe calls/s (setup)": subscribesPerSecond,
          "logins/s (setup)": loginsPerSecond,
        },
      ],
      summary: {
        subscribers: n,
        lastDeviceMs: Math.round(fromLogin),
        lastDeviceFromWelcomeMs: Math.round(fromWelcome),
        presenceBusMessages: windowPresence,
        windowBusMessages: windowBus,
        ferretdbHandler: handler,
      },
    };
  } finally {
    for (const d of devices) d.close();
    agent.destroy();
    await spy.close();
    await Promise.all(nodes.map((x) => x.stop()));
    await nats.stop();
    await ferret.stop();
  }
}
