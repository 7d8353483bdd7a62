/**
 * Logs one account in on two devices and shows what the server sees.
 *
 *   npm start                          # in one terminal (prints the development app)
 *   npx tsx examples/two-devices.ts    # in another
 *
 * NIMBUS_URL, NIMBUS_APP_KEY and NIMBUS_APP_SECRET choose the node and the app; by default the
 * development app in ./data/dev-app.json on http://127.0.0.1:2567.
 */
import { randomBytes } from "node:crypto";
import { connect } from "nimbus/client";
import { appKey, nim, url } from "./server-api.ts";

const accid = `demo${randomBytes(3).toString("hex")}`;
const created = (await nim("user/create", { accid, name: "Demo" })) as { code: number; info: { token: string } };
if (created.code !== 200) throw new Error(`user/create: ${JSON.stringify(created)}`);
const { token } = created.info;
console.log(`created ${accid}`);

const laptop = await connect({ url, appKey, accid, token, deviceId: "laptop", clientType: "PC" });
const phone = await connect({ url, appKey, accid, token, deviceId: "phone", clientType: "IOS" });
for (const [name, device] of [
  ["laptop", laptop],
  ["phone", phone],
] as const) {
  device.on("kicked", ({ reason }) => console.log(`${name} was kicked (reason ${reason})`));
  console.log(`${name} online on node ${device.session.nodeId} as session ${device.session.sessionId}`);
}

// The registry updates right after the welcome; give it a moment, then ask as an app server would.
await new Promise((r) => setTimeout(r, 200));
const status = (await nim("user/userOnlineStatus", { accids: JSON.stringify([accid]) })) as {
  data: { onlineStatusList: { statusList: { clientType: number }[] }[] };
};
// clientType is NIM's number, as its server SDKs read it: 4 is PC, 2 is IOS.
console.log("online:", status.data.onlineStatusList[0]?.statusList.map((s) => s.clientType).join(", "));

await laptop.logout();
await phone.logout();
console.log("both logged out");
process.exit(0);
