import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { checkSum } from "../../src/http/nim/auth.ts";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";

// Signing does not touch the store: one backend is enough here.
describe("server API: request signing and envelope", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
  });
  afterAll(async () => api.close());

  // user/getUinfos of an account nobody created: a valid request that needs no setup.
  const probe = { accids: JSON.stringify(["nobody"]) };

  it("accepts a correctly signed request, with or without the /nimserver prefix", async () => {
    expect((await api.call("user/getUinfos", probe)).code).toBe(200);
    expect((await api.call("user/getUinfos", probe, { prefix: "" })).code).toBe(200);
  });

  it("refuses a wrong CheckSum with 414", async () => {
    expect(await api.call("user/getUinfos", probe, { checkSum: "0".repeat(40) })).toEqual({ code: 414, desc: "CheckSum does not match" });
    expect((await api.call("user/getUinfos", probe, { appSecret: "not-the-secret" })).code).toBe(414);
  });

  it("accepts the CheckSum's hex in either case: NIM's SDKs send lowercase, uppercase is the same digest", async () => {
    const nonce = "case-rule-0001";
    const curTime = String(Math.floor(Date.now() / 1000));
    const sum = checkSum(api.appSecret, nonce, curTime);
    expect((await api.call("user/getUinfos", probe, { nonce, curTime, checkSum: sum.toUpperCase() })).code).toBe(200);
    expect((await api.call("user/getUinfos", probe, { nonce: "case-rule-0002", curTime, checkSum: sum })).code).toBe(414);
  });

  it("refuses a CurTime outside ±5 minutes with 414", async () => {
    const now = Math.floor(Date.now() / 1000);
    // A few seconds past the window, so a request that crosses a second boundary on a loaded machine is still outside it.
    for (const t of [now - 305, now + 305]) {
      expect(await api.call("user/getUinfos", probe, { curTime: String(t) })).toEqual({
        code: 414,
        desc: "CurTime is outside the 5-minute window",
      });
    }
    expect((await api.call("user/getUinfos", probe, { curTime: String(now - 290) })).code).toBe(200);
    expect((await api.call("user/getUinfos", probe, { curTime: "soon" })).code).toBe(414);
  });

  it("refuses a replayed Nonce with 431", async () => {
    const nonce = "replay-me-0001";
    expect((await api.call("user/getUinfos", probe, { nonce })).code).toBe(200);
    expect(await api.call("user/getUinfos", probe, { nonce })).toEqual({ code: 431, desc: "Nonce was already used: replayed request" });
  });

  it("refuses an unknown AppKey with 403", async () => {
    expect(await api.call("user/getUinfos", probe, { appKey: "no-such-app" })).toEqual({ code: 403, desc: "unknown AppKey" });
  });

  it("answers an unknown action with a NIM-shaped 404", async () => {
    expect((await api.call("user/noSuchThing", {})).code).toBe(404);
  });

  it("refuses a parameter given twice", async () => {
    const nonce = "dup-param-1";
    const curTime = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${api.url}/nimserver/user/getUinfos.action`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        AppKey: api.appKey,
        Nonce: nonce,
        CurTime: curTime,
        CheckSum: checkSum(api.appSecret, nonce, curTime),
      },
      body: "accids=%5B%22a%22%5D&accids=%5B%22b%22%5D",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 414, desc: "accids: must be given once, as a string" });
  });

  it("describes every endpoint in OpenAPI, generated from the validators", async () => {
    const doc = (await (await fetch(`${api.url}/nimserver/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }>;
    };
    expect(doc.openapi).toBe("3.1.0");
    const create = doc.paths["/nimserver/user/create.action"];
    expect(create?.post.requestBody.content["application/x-www-form-urlencoded"]?.schema.properties).toHaveProperty("accid");
    expect(Object.keys(doc.paths)).toContain("/nimserver/friend/add.action");
  });
});

describe("server API: per-app rate limit", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite", app: { limits: { requestsPerSecond: 5 } } });
  });
  afterAll(async () => api.close());

  it("answers 416 past the app's requests per second", async () => {
    const codes = await Promise.all(Array.from({ length: 12 }, () => api.call("user/getUinfos", { accids: '["x"]' }).then((r) => r.code)));
    expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 416).length).toBeGreaterThanOrEqual(7);
  });
});
