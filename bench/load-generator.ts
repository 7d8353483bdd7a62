/**
 * A load-generator process. The parent drives it over the IPC channel:
 *   {t:"setup", ...SetupCommand}  → {t:"ready", loginMs, errors}
 *   {t:"step", ...StepCommand}    → {t:"stepDone", result}
 *   {t:"close"}                   → exits
 * Nimbus clients speak the real protocol, through lean devices (bench/lib/lean-client.ts, the
 * SDK's frames without the SDK) or the SDK itself (`nimbus/client`); baseline clients speak JSON
 * to bench/baseline-relay.ts; xmpp clients speak XMPP to ejabberd (bench/lib/xmpp-device.ts, the peer
 * benchmark). Pairs: accounts 2p and 2p+1; stream 2p is 2p→2p+1, 2p+1 the reverse.
 */
import { Agent } from "node:http";
import { WebSocket } from "ws";
import { connect, type Message } from "../src/client/mod.ts";
import { newClientMsgId } from "../src/client/client-msg-id.ts";
import { LeanDevice } from "./lib/lean-client.ts";
import { OpenLoop, type StepResult } from "./lib/open-loop.ts";
import { XmppDevice } from "./lib/xmpp-device.ts";

if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

export interface SetupCommand {
  /** xmpp-register: register the accounts on ejabberd in-band and disconnect (before the timed logins of mode xmpp). */
  mode: "nimbus" | "baseline" | "xmpp" | "xmpp-register";
  /** How nimbus devices are driven: lean devices sending the SDK's frames, or the SDK. */
  client: BenchClient;
  /**
   * Node URL(s) (http://…), the relay's ws:// URL, or ejabberd's `xmpp://host:port/domain`. With two
   * node URLs, account 2p logs in to the first and 2p+1 to the second.
   */
  urls: string[];
  appKey: string;
  accounts: { accid: string; token: string }[];
  /** Logins in flight at once. */
  concurrency: number;
  /**
   * A device counts as logged in once its login sync is answered, not at `welcome`: the load steps
   * then start on a node that is done with the logins. Lean devices log in fast enough that 400
   * syncs can still be running on a FerretDB-backed cluster when the first step begins.
   */
  waitForSync?: boolean;
}

export interface StepCommand {
  step: number;
  rate: number;
  durationMs: number;
  drainMs: number;
}

export type ToParent =
  | { t: "ready"; loginMs: number; loggedIn: number; errors: number; firstError?: string }
  | { t: "stepDone"; result: StepResult }
  | { t: "fatal"; error: string };

export type BenchClient = "lean" | "sdk";

type Sender = (to: number, text: string) => Promise<unknown>;

const loop = new OpenLoop();
let senders: Sender[] = [];
const closers: (() => Promise<unknown> | void)[] = [];

function onText(text: string): void {
  const dot = text.indexOf(".");
  loop.delivered(Number(text.slice(0, dot)), Number(text.slice(dot + 1)));
}

/** Logs every account in with `login` from `concurrency` workers at once; reports to the parent. */
async function loginAll<T>(c: SetupCommand, login: (i: number) => Promise<T>): Promise<T[]> {
  const clients: T[] = new Array(c.accounts.length);
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= c.accounts.length) return;
      try {
        clients[i] = await login(i);
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, worker));
  const loginMs = performance.now() - t0;
  send({ t: "ready", loginMs, loggedIn: clients.filter(Boolean).length, errors, ...(firstError ? { firstError } : {}) });
  return clients;
}

/** Tracks one recipient's pushes: the seq must never go back within its one conversation. */
function recipient(): (m: Message) => void {
  let lastSeq = 0;
  return (m) => {
    const text = (m.body as { msg: string }).msg;
    if (m.seq < lastSeq) loop.seqRegression(Number(text.slice(0, text.indexOf("."))));
    lastSeq = Math.max(lastSeq, m.seq);
    onText(text);
  };
}

function peerOf(c: SetupCommand, i: number): string {
  return c.accounts[i ^ 1]?.accid ?? "";
}

async function setupLean(c: SetupCommand): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: c.concurrency });
  const devices = await loginAll(c, (i) => {
    const a = c.accounts[i]!;
    return LeanDevice.login({
      url: c.urls[i % c.urls.length]!,
      agent,
      appKey: c.appKey,
      accid: a.accid,
      token: a.token,
      deviceId: `bench-${a.accid}`,
      clientType: "WEB",
      onMessage: recipient(),
      waitForSync: c.waitForSync === true,
    });
  });
  agent.destroy();
  senders = devices.map((device, i) => {
    const peer = peerOf(c, i);
    // The SDK's ids (time-ordered UUIDs), so the store sees the resend index a real client makes.
    return (_to: number, text: string) => device.sendText(peer, text, newClientMsgId());
  });
  closers.push(() => devices.forEach((d) => d?.close()));
}

async function setupSdk(c: SetupCommand): Promise<void> {
  const clients = await loginAll(c, async (i) => {
    const a = c.accounts[i]!;
    const client = await connect({
      url: c.urls[i % c.urls.length]!,
      appKey: c.appKey,
      accid: a.accid,
      token: a.token,
      deviceId: `bench-${a.accid}`,
      clientType: "WEB",
      requestTimeoutMs: 30_000,
    });
    if (c.waitForSync) await client.synced();
    const me = a.accid.toLowerCase();
    const onMessage = recipient();
    client.on("event", ({ type, body }) => {
      if (type === "msg" && (body as Message).to === me) onMessage(body as Message);
    });
    return client;
  });
  senders = clients.map((client, i) => {
    const peer = peerOf(c, i);
    return (_to: number, text: string) => client.sendText(peer, text);
  });
  closers.push(() => Promise.all(clients.map((cl) => cl?.logout().catch(() => undefined))));
}

async function setupBaseline(c: SetupCommand): Promise<void> {
  const t0 = performance.now();
  const ids = c.accounts.map((a) => Number(a.accid));
  const sockets = await Promise.all(
    ids.map(
      (id) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${c.urls[0]}/?id=${id}`);
          ws.once("open", () => resolve(ws));
          ws.once("error", reject);
        }),
    ),
  );
  senders = sockets.map((ws, i) => {
    const waiting = new Map<number, () => void>();
    let req = 0;
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { a?: number; t?: string };
      if (f.a !== undefined) {
        waiting.get(f.a)?.();
        waiting.delete(f.a);
      } else if (f.t !== undefined) onText(f.t);
    });
    const peer = ids[i ^ 1]!;
    return (_to: number, text: string) =>
      new Promise<void>((resolve) => {
        const r = req++;
        waiting.set(r, resolve);
        ws.send(JSON.stringify({ to: peer, r, t: text }));
      });
  });
  closers.push(() => sockets.forEach((ws) => ws.close()));
  send({ t: "ready", loginMs: performance.now() - t0, loggedIn: sockets.length, errors: 0 });
}

/**
 * XMPP devices on ejabberd. Mode xmpp-register registers the accounts in-band and disconnects, so
 * that mode xmpp, after it, times logins only, like the other modes. Tokens are passwords.
 */
async function setupXmpp(c: SetupCommand): Promise<void> {
  const url = new URL(c.urls[0]!);
  const base = { host: url.hostname, port: Number(url.port), domain: url.pathname.slice(1) };
  if (c.mode === "xmpp-register") {
    const registered = await loginAll(c, (i) =>
      XmppDevice.open({ ...base, username: c.accounts[i]!.accid, password: c.accounts[i]!.token, register: true, onBody: () => {} }),
    );
    registered.forEach((d) => d?.close());
    return;
  }
  const devices = await loginAll(c, (i) =>
    XmppDevice.open({ ...base, username: c.accounts[i]!.accid, password: c.accounts[i]!.token, register: false, onBody: onText }),
  );
  // The order check is the open loop's (per stream, by index); XMPP has no seq to check besides.
  senders = devices.map((device, i) => {
    const peer = peerOf(c, i);
    return (_to: number, text: string) => device.sendText(peer, text);
  });
  closers.push(() => devices.forEach((d) => d?.close()));
}

function send(m: ToParent): void {
  process.send!(m);
}

process.on("message", (raw: { t: string } & Partial<SetupCommand> & Partial<StepCommand>) => {
  void (async () => {
    try {
      if (raw.t === "setup") {
        const c = raw as unknown as SetupCommand;
        await (c.mode === "baseline"
          ? setupBaseline(c)
          : c.mode === "xmpp" || c.mode === "xmpp-register"
            ? setupXmpp(c)
            : c.client === "sdk"
              ? setupSdk(c)
              : setupLean(c));
      } else if (raw.t === "step") {
        const s = raw as unknown as StepCommand;
        const result = await loop.run({
          ...s,
          streams: senders.length,
          send: (stream, step, i) => senders[stream]!(stream ^ 1, `${step}.${i}`),
        });
        send({ t: "stepDone", result });
      } else if (raw.t === "close") {
        for (const c of closers) await c();
        process.exit(0);
      }
    } catch (err) {
      send({ t: "fatal", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
