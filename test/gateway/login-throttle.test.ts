import { describe, it, expect, afterEach } from "vitest";
import { request } from "node:http";
import { connect, NimbusClientError, ROOM_NAME, type ClientType } from "nimbus/client";
import { sleep, startGatewayNode, type GatewayNode } from "./support.ts";

const LOCKOUT_MS = 1500;

/** A login through the SDK (matchmake, then the WebSocket); answers the NIM code and the error text. */
async function login(gw: GatewayNode, accid: string, token: string): Promise<{ code: number; desc: string }> {
  try {
    const client = await connect({ url: gw.url, appKey: gw.appKey, accid, token, deviceId: "d1", clientType: "WEB" as ClientType });
    await client.logout();
    return { code: 200, desc: "" };
  } catch (err) {
    if (err instanceof NimbusClientError) return { code: err.code, desc: err.message };
    throw err;
  }
}

/** The matchmake login from a given loopback source address (any 127.x.y.z reaches the node on Linux). */
function loginFrom(gw: GatewayNode, from: string, accid: string, token: string): Promise<{ code: number; desc: string }> {
  const body = JSON.stringify({ appKey: gw.appKey, accid, token, deviceId: "d1", clientType: "WEB" });
  return new Promise((resolve, reject) => {
    const req = request(
      `${gw.url}/matchmake/joinOrCreate/${ROOM_NAME}`,
      { method: "POST", localAddress: from, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => {
          const answer = JSON.parse(text) as { code?: number; error?: string; sessionId?: string };
          resolve(
            res.statusCode === 200 && answer.sessionId ? { code: 200, desc: "" } : { code: answer.code ?? -1, desc: answer.error ?? "" },
          );
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("gateway: failed logins are throttled per account and per source address", () => {
  const nodes: GatewayNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });
  async function node(options: { perAccount: number; perAddress: number; windowMs: number }): Promise<GatewayNode> {
    const gw = await startGatewayNode({
      loginFailuresPerAccount: options.perAccount,
      loginFailuresPerAddress: options.perAddress,
      loginFailureWindowMs: options.windowMs,
      loginLockoutMs: LOCKOUT_MS,
    });
    nodes.push(gw);
    return gw;
  }

  it("locks an account after its wrong tokens (416, the right token too) without touching other accounts, until the lockout passes", async () => {
    const gw = await node({ perAccount: 3, perAddress: 1000, windowMs: 10_000 });
    const token = await gw.createAccount("target");
    const otherToken = await gw.createAccount("bystander");

    for (let i = 0; i < 3; i++) expect((await login(gw, "target", `guess-${i}`)).code).toBe(302);
    const locked = await login(gw, "target", "guess-3");
    expect(locked.code).toBe(416);
    expect(locked.desc).toMatch(/too many failed logins for account target: try again in 2 s/);
    const lockedAt = Date.now();
    // The right token is refused as well while the lock lasts: a guess cannot tell it is right.
    expect((await login(gw, "target", token)).code).toBe(416);

    // Another account on the same address logs in meanwhile, WebSocket and all: nothing is delayed, only refused.
    expect(await login(gw, "bystander", otherToken)).toEqual({ code: 200, desc: "" });

    await sleep(LOCKOUT_MS - (Date.now() - lockedAt) + 50);
    expect((await login(gw, "target", token)).code).toBe(200);
  });

  it("counts wrong tokens within the window only; a correct login starts the count over; three in a window lock", async () => {
    const gw = await node({ perAccount: 3, perAddress: 1000, windowMs: 1000 });
    const token = await gw.createAccount("slowpoke");
    for (let i = 0; i < 2; i++) expect((await login(gw, "slowpoke", `guess-${i}`)).code).toBe(302);
    await sleep(1100); // the window passes: the two failures no longer count
    for (let i = 0; i < 2; i++) expect((await login(gw, "slowpoke", `late-${i}`)).code).toBe(302);
    expect((await login(gw, "slowpoke", token)).code).toBe(200);
    // Three within the window do lock it.
    for (let i = 0; i < 3; i++) expect((await login(gw, "slowpoke", `again-${i}`)).code).toBe(302);
    expect((await login(gw, "slowpoke", token)).code).toBe(416);
  });

  it("locks a source address after its failed logins over many accounts, and only that address", async () => {
    const gw = await node({ perAccount: 1000, perAddress: 5, windowMs: 10_000 });
    const token = await gw.createAccount("victim");
    // Five guesses from one address, each at another account (some do not exist).
    for (let i = 0; i < 5; i++) {
      const accid = i % 2 === 0 ? `nobody${i}` : "victim";
      expect((await loginFrom(gw, "127.0.0.1", accid, `guess-${i}`)).code).toBe(i % 2 === 0 ? 404 : 302);
    }
    const refused = await loginFrom(gw, "127.0.0.1", "victim", token);
    expect(refused.code).toBe(416);
    expect(refused.desc).toMatch(/too many failed logins from 127\.0\.0\.1/);
    // The account itself is not locked: from another address the right token logs in.
    expect(await loginFrom(gw, "127.0.0.2", "victim", token)).toEqual({ code: 200, desc: "" });
    await sleep(LOCKOUT_MS + 50);
    expect(await loginFrom(gw, "127.0.0.1", "victim", token)).toEqual({ code: 200, desc: "" });
  });
});
