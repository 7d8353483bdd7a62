/**
 * A live room: a host, a manager and two viewers. The viewers line up for the mic (the room's
 * queue), the host gives it to the first in line, the manager mutes a viewer who spams.
 *
 *   npm start                          # in one terminal (prints the development app)
 *   npx tsx examples/live-room.ts      # in another
 *
 * NIMBUS_URL, NIMBUS_APP_KEY and NIMBUS_APP_SECRET choose the node and the app; by default the
 * development app in ./data/dev-app.json on http://127.0.0.1:2567.
 */
import { randomBytes } from "node:crypto";
import { enterChatroom, NimbusClientError, type ChatroomHandle } from "nimbus/client";
import { appKey, nimOk as api, url } from "./server-api.ts";

const suffix = randomBytes(3).toString("hex");
const [host, mod, ann, bob] = ["host", "mod", "ann", "bob"].map((n) => `${n}${suffix}`) as [string, string, string, string];
const tokens: Record<string, string> = {};
for (const accid of [host, mod, ann, bob]) tokens[accid] = ((await api("user/create", { accid })).info as { token: string }).token;

// The app server opens the room and names the manager.
const { chatroom } = (await api("chatroom/create", { creator: host, name: "Friday night live", queuelevel: "0" })) as {
  chatroom: { roomid: number };
};
const roomid = chatroom.roomid;
await api("chatroom/setMemberRole", { roomid: String(roomid), operator: host, target: mod, opt: "1", optvalue: "true" });
console.log(`room ${roomid} open; ${mod} is a manager`);

async function join(accid: string): Promise<ChatroomHandle> {
  const room = await enterChatroom(roomid, { url, appKey, accid, token: tokens[accid]!, nick: accid.replace(suffix, "") });
  console.log(`${room.welcome.accid} entered as ${room.welcome.role}`);
  return room;
}
const hostRoom = await join(host);
const modRoom = await join(mod);
const annRoom = await join(ann);
const bobRoom = await join(bob);

hostRoom.on("message", (m) => console.log(`host sees ${m.fromNick ?? m.from}: ${m.attach}`));
hostRoom.on("queue", (q) => console.log(`queue: ${q.op} ${q.key ?? ""}${q.value ? ` (${q.value})` : ""}`));
bobRoom.on("notification", (n) => console.log(`bob is told: notification ${n.id} by ${n.operator} for ${n.targets.join(", ")}`));

await annRoom.sendText("hello from ann!");
// The viewers line up for the mic, in the order they asked.
await annRoom.queueOffer(ann, "wants the mic");
await bobRoom.queueOffer(bob, "me too", { transient: true });
console.log(`mic order: ${(await hostRoom.queueList()).map((e) => e.key.replace(suffix, "")).join(", ")}`);
const next = await hostRoom.queuePoll();
console.log(`the mic goes to ${next?.key.replace(suffix, "")}`);

// Bob spams; the manager mutes him for a minute (through the app server, as NIM's API does it).
await api("chatroom/temporaryMute", { roomid: String(roomid), operator: mod, target: bob, muteDuration: "60" });
await new Promise((r) => setTimeout(r, 200));
try {
  await bobRoom.sendText("buy my stuff");
} catch (err) {
  console.log(`bob's message refused: ${(err as NimbusClientError).code}`);
}
// Bob leaves; his transient place in the queue goes with him.
await bobRoom.leave();
await new Promise((r) => setTimeout(r, 300));
console.log(`queue now: ${JSON.stringify((await hostRoom.queueList()).map((e) => e.key.replace(suffix, "")))}`);
const history = await modRoom.history({ limit: 10 });
console.log(`history: ${history.map((m) => m.attach).join(" | ")}`);
await Promise.all([hostRoom, modRoom, annRoom].map((r) => r.leave()));
console.log("done");
