/**
 * Logs one account in on two devices and shows what the server sees.
 *
 *   npm start                          # in one terminal (prints the development app)
 *   npx tsx examples/two-devices.ts    # in another
 *
 * NIMBUS_URL, NIMBUS_APP_KEY and NIMBUS_APP_SECRET choose the node and the app; by default the
 * development app in ./data/dev-app.json on http://127.0.0.1:2567.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "nimbus/client";

const url = process.env.NIMBUS_URL ?? "http://127.0.0.1:2567";
const devApp = () => JSON.parse(readFileSync("data/dev-app.json", "utf8")) as { appKey: string; appSecret: string };
const appKey = process.env.NIMBUS_APP_KEY ?? devApp().appKey;
const appSecret = process.env.NIMBUS_APP_SECRET ?? devApp().appSecret;

/** One NIM server-API call: a form POST signed with CheckSum = sha1(AppSecret + Nonce + CurTime). */
async function nim(path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const nonce = randomBytes(8).toString("hex");
  const curTime = String(Math.floor(Date.now() / 1000));
  const checkSum = createHash("sha1")
    .update(appSecret + nonce + curTime)
    .digest("hex");
  const res = await fetch(`${url}/nimserver/${path}.action`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded;charset=utf-8",
      AppKey: appKey,
      Nonce: nonce,
      CurTime: curTime,
      CheckSum: checkSum,
    },
    body: new URLSearchParams(params),
  });
  return (await res.json()) as Record<string, unknown>;
}

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
