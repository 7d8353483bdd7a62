/**
 * What the examples share: which node and app they talk to, and one NIM server-API call as an app
 * server makes it (a form POST signed with CheckSum = sha1(AppSecret + Nonce + CurTime)).
 *
 * NIMBUS_URL, NIMBUS_APP_KEY and NIMBUS_APP_SECRET choose the node and the app; by default the
 * development app in ./data/dev-app.json on http://127.0.0.1:2567.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

export const url = process.env.NIMBUS_URL ?? "http://127.0.0.1:2567";
const devApp = () => JSON.parse(readFileSync("data/dev-app.json", "utf8")) as { appKey: string; appSecret: string };
export const appKey = process.env.NIMBUS_APP_KEY ?? devApp().appKey;
const appSecret = process.env.NIMBUS_APP_SECRET ?? devApp().appSecret;

/** One server-API call; answers NIM's JSON, whatever its code. */
export async function nim(path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
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

/** The same call, insisting on code 200. */
export async function nimOk(path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const body = await nim(path, params);
  if (body.code !== 200) throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body;
}
