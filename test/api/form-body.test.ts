import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";

/**
 * Where parameters come from: the form body only, strictly UTF-8. Parsing runs before any store
 * access, so one backend is enough; every refusal is read back to show it changed nothing.
 */
describe("server API: the form body is the only source of parameters", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
  });
  afterAll(async () => api.close());

  async function exists(accid: string): Promise<boolean> {
    const res = await api.call("user/getUinfos", { accids: JSON.stringify([accid]) });
    expect(res.code).toBe(200);
    return (res.uinfos as unknown[]).length === 1;
  }

  async function nameOf(accid: string): Promise<unknown> {
    const res = await api.call("user/getUinfos", { accids: JSON.stringify([accid]) });
    return (res.uinfos as { name?: string }[])[0]?.name;
  }

  it("refuses a query-string parameter with 414 naming it, and creates nothing", async () => {
    expect(await api.post("user/create", "", { query: "accid=fromquery" })).toEqual({
      code: 414,
      desc: "accid: parameters go in the form body, not the query string",
    });
    expect(await exists("fromquery")).toBe(false);
  });

  it("refuses a parameter given both in the query and in the body", async () => {
    const res = await api.post("user/create", "accid=inboth", { query: "accid=other" });
    expect(res).toEqual({ code: 414, desc: "accid: parameters go in the form body, not the query string" });
    expect(await exists("inboth")).toBe(false);
    expect(await exists("other")).toBe(false);
  });

  it("refuses any query parameter, even one the endpoint does not know, and names it", async () => {
    const res = await api.post("user/create", "accid=withextra", { query: "debug=1" });
    expect(res).toEqual({ code: 414, desc: "debug: parameters go in the form body, not the query string" });
    expect(await exists("withextra")).toBe(false);
  });

  it("answers an empty POST without Content-Type by naming the missing parameter", async () => {
    expect(await api.post("user/create", new Uint8Array(0), { contentType: null })).toEqual({ code: 414, desc: "accid: required" });
  });

  it("still accepts a bare '?' with nothing after it", async () => {
    expect((await api.post("user/create", "accid=barequery", { query: "" })).code).toBe(200);
    expect(await exists("barequery")).toBe(true);
  });

  it("refuses a JSON body with 414 naming Content-Type (NIM v1 is form-encoded)", async () => {
    const res = await api.post("user/create", JSON.stringify({ accid: "jsonbody" }), { contentType: "application/json" });
    expect(res).toEqual({
      code: 414,
      desc: "Content-Type: application/json is not accepted: parameters are sent as application/x-www-form-urlencoded",
    });
    expect(await exists("jsonbody")).toBe(false);
  });

  it("refuses text/plain and a missing Content-Type alike", async () => {
    expect((await api.post("user/create", "accid=textbody", { contentType: "text/plain" })).desc).toMatch(/^Content-Type: text\/plain/);
    expect(await exists("textbody")).toBe(false);
    const bare = await api.post("user/create", Buffer.from("accid=nocontenttype"), { contentType: null });
    expect(bare).toEqual({ code: 414, desc: "Content-Type: missing: parameters are sent as application/x-www-form-urlencoded" });
    expect(await exists("nocontenttype")).toBe(false);
  });

  it("refuses a charset other than UTF-8, and accepts UTF-8 however it is spelled", async () => {
    const latin1 = await api.post("user/create", "accid=latin1&name=caf%E9", {
      contentType: "application/x-www-form-urlencoded; charset=ISO-8859-1",
    });
    expect(latin1).toEqual({ code: 414, desc: "Content-Type: charset ISO-8859-1 is not accepted: only utf-8" });
    expect(await exists("latin1")).toBe(false);
    for (const [accid, contentType] of [
      ["utf8upper", "application/x-www-form-urlencoded; charset=UTF-8"],
      ["utf8quoted", 'application/x-www-form-urlencoded; charset="utf-8"'],
      ["nocharset", "application/x-www-form-urlencoded"],
      ["utf8nohyphen", "application/x-www-form-urlencoded;charset=utf8"],
    ] as const) {
      expect((await api.post("user/create", `accid=${accid}&name=caf%C3%A9`, { contentType })).code).toBe(200);
      expect(await nameOf(accid)).toBe("café");
    }
  });

  it("refuses invalid percent-encoded UTF-8 with 414 naming the parameter, and stores nothing", async () => {
    // %ED%A0%80 is a UTF-16 surrogate encoded as UTF-8: not a character. It used to be stored as typed.
    for (const bad of ["a%ED%A0%80b", "a%FFb", "a%C3b", "a%zzb", "a%"]) {
      expect(await api.post("user/create", `accid=badpct&name=${bad}`)).toEqual({
        code: 414,
        desc: "name: not valid percent-encoded UTF-8",
      });
    }
    expect(await exists("badpct")).toBe(false);
  });

  it("refuses raw bytes that are not UTF-8, naming the parameter", async () => {
    const body = Buffer.concat([Buffer.from("accid=rawbytes&name=a"), Buffer.from([0xc3, 0x28]), Buffer.from("b")]);
    expect(await api.post("user/create", body)).toEqual({ code: 414, desc: "name: not valid percent-encoded UTF-8" });
    expect(await exists("rawbytes")).toBe(false);
  });

  it("refuses an undecodable parameter name, showing it as sent", async () => {
    const res = await api.post("user/create", "accid=badname&na%FFme=x");
    expect(res).toEqual({ code: 414, desc: 'parameter name "na%FFme": not valid percent-encoded UTF-8' });
    expect(await exists("badname")).toBe(false);
  });

  it("decodes valid UTF-8 raw or escaped, and '+' as a space", async () => {
    const body = Buffer.concat([Buffer.from("accid=goodutf8&name=1+"), Buffer.from("😀", "utf8"), Buffer.from("%F0%9F%98%80")]);
    expect((await api.post("user/create", body)).code).toBe(200);
    expect(await nameOf("goodutf8")).toBe("1 😀😀");
  });

  it("still refuses a parameter given twice in the body", async () => {
    expect(await api.post("user/create", "accid=twice1&accid=twice2")).toEqual({
      code: 414,
      desc: "accid: must be given once, as a string",
    });
    expect(await exists("twice1")).toBe(false);
  });
});
