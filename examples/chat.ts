/**
 * Two people chat through the SDK; one goes offline, misses messages, comes back and catches up.
 *
 *   npm start                      # in one terminal (prints the development app)
 *   npx tsx examples/chat.ts       # in another
 *
 * NIMBUS_URL, NIMBUS_APP_KEY and NIMBUS_APP_SECRET choose the node and the app; by default the
 * development app in ./data/dev-app.json on http://127.0.0.1:2567.
 */
import { randomBytes } from "node:crypto";
import { connect, type Message, type NimbusClient, type SyncState } from "nimbus/client";
import { appKey, nimOk, url } from "./server-api.ts";

/** Accounts are created by the app server over the server API, not by devices. */
async function createAccount(accid: string): Promise<string> {
  return ((await nimOk("user/create", { accid })).info as { token: string }).token;
}

const suffix = randomBytes(3).toString("hex");
const alice = `alice${suffix}`;
const bob = `bob${suffix}`;
const tokens = { [alice]: await createAccount(alice), [bob]: await createAccount(bob) };

/** Logs a device in and prints every message it is handed: pushed live, or caught up by the login sync. */
async function login(accid: string, syncState?: SyncState): Promise<NimbusClient> {
  const client = await connect({ url, appKey, accid, token: tokens[accid]!, deviceId: `${accid}-phone`, clientType: "IOS", syncState });
  client.on("message", (m: Message) => console.log(`${accid} <- #${m.seq} ${m.from}: ${String(m.body.msg)}`));
  client.on("receipt", (r) => r.reader !== accid && console.log(`${accid}: ${r.reader} has read up to #${r.seq}`));
  return client;
}

/** Waits for `client` to hold message `seq` of the conversation with `peer`. */
function holds(client: NimbusClient, conv: string, seq: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (client.syncState().cursors[conv] ?? 0) >= seq && (off(), resolve());
    const off = client.on("message", check);
    check();
  });
}

const conv = [alice, bob].sort().join("|");
const a = await login(alice);
const b = await login(bob);
await Promise.all([a.synced(), b.synced()]);

const hi = await a.sendText(bob, "Hi Bob!");
await holds(b, conv, hi.seq);
await b.markRead(alice, hi.seq);
const reply = await b.sendText(alice, "Hi Alice, about to board a plane.");
await holds(a, conv, reply.seq);

// Bob goes offline; his app keeps where it left off (persist it in a real app).
const saved = b.syncState();
await b.logout();
console.log(`${bob} went offline at #${saved.cursors[conv]}`);

let last = 0;
for (const text of ["Have a good flight", "Call me when you land", "Bring snacks"]) last = (await a.sendText(bob, text)).seq;

// Back online: the login sync hands over what he missed, in order, then the conversation list.
const back = await login(bob, saved);
const list = await new Promise<{ unread: number }[]>((resolve) => back.once("conversations", resolve));
await holds(back, conv, last);
console.log(`${bob} caught up: ${list[0]?.unread ?? 0} unread`);
await back.markRead(alice, last);
await new Promise((r) => setTimeout(r, 200)); // let the receipt reach Alice before logging out

await a.logout();
await back.logout();
console.log("done");
process.exit(0);
