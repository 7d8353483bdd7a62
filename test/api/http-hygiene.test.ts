import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";

// What a new user's curl sees: HTTP's own statuses outside the NIM API, NIM's envelope inside it.
describe("HTTP hygiene", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
  });
  afterAll(async () => api.close());

  it("answers unknown paths outside the NIM API with HTTP 404, unsigned and not rate limited", async () => {
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/admin"],
      ["POST", "/admin/users"],
      ["GET", "/favicon.ico"],
      ["GET", "/"],
    ] as const) {
      const res = await fetch(`${api.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ code: 404, desc: `no such API: ${method} ${path}` });
    }
  });

  it("keeps NIM's envelope (HTTP 200) for the API's own space, signed or not", async () => {
    expect((await api.call("user/noSuchThing", {})).code).toBe(404);
    const unsigned = await fetch(`${api.url}/nimserver/user/create.action`, { method: "POST" });
    expect(unsigned.status).toBe(200);
    expect(await unsigned.json()).toEqual({ code: 414, desc: "AppKey header is missing" });
    const bare = await fetch(`${api.url}/user/nothing.action`, { method: "POST" });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as { code: number }).code).toBe(414);
  });

  it("answers matchmake refusals with the HTTP status that means the same, and the NIM code in the body", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${api.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const login = { appKey: api.appKey, accid: "nobody", token: "t", deviceId: "d", clientType: "PC" };
    const cases: [string, unknown, number, number][] = [
      ["/matchmake/joinOrCreate/im", { ...login, clientType: "TOASTER" }, 400, 414],
      ["/matchmake/joinOrCreate/im", login, 404, 404],
      ["/matchmake/joinOrCreate/im", { ...login, appKey: "no-such-app" }, 403, 403],
      ["/matchmake/joinOrCreate/lobby", login, 404, 520],
      ["/matchmake/teleport/im", login, 404, 520],
      ["/matchmake/reconnect/nope", {}, 400, 414],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await post(path, body);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { code: number }).code, path).toBe(code);
    }
  });
});
