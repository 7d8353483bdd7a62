import { createHash, randomBytes } from "node:crypto";
import { it, expect, beforeAll, afterAll } from "vitest";
import { checkSum } from "../../src/http/nim/auth.ts";
import { describeOnEachStore, startApiNode, type ApiNode, type NimResponse } from "../support/nim-api.ts";

const MB = 1024 * 1024;
const LIMIT = 15 * MB;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * msg/upload, msg/fileUpload and job/nos/del with the parameters NIM's Java and Go SDKs send
 * (content, type, ishttps, expireSec, tag; startTime, endTime, contentType, tag) and the answers
 * they read (`url` at the top level, `data.taskid`); the file is downloaded from the `url`.
 */
describeOnEachStore("server API: file upload", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
  });
  afterAll(async () => api.close());

  async function download(url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
    const res = await fetch(url.replace(/^https:/, "http:"));
    return { status: res.status, type: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  /** A signed multipart POST, as an app server sends msg/fileUpload. */
  async function multipart(path: string, form: FormData): Promise<NimResponse> {
    const nonce = randomBytes(12).toString("hex");
    const curTime = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${api.url}/nimserver/${path}.action`, {
      method: "POST",
      headers: { AppKey: api.appKey, Nonce: nonce, CurTime: curTime, CheckSum: checkSum(api.appSecret, nonce, curTime) },
      body: form,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as NimResponse;
  }

  it("uploads 15 MB as base64 and serves it back byte for byte at the url it answers; 15 MB + 1 is refused naming content", async () => {
    const bytes = randomBytes(LIMIT);
    const res = await api.call("msg/upload", { content: bytes.toString("base64"), type: "image/png", tag: "big" });
    expect(Object.keys(res).sort()).toEqual(["code", "url"]);
    expect(res.code).toBe(200);
    const url = res.url as string;
    expect(url).toMatch(new RegExp(`^http://${api.url.replace(/^http:\/\//, "")}/nimserver/files/[0-9a-f]+$`));
    const got = await download(url);
    expect(got.status).toBe(200);
    expect(got.type).toBe("image/png");
    expect(got.bytes.length).toBe(LIMIT);
    expect(sha(got.bytes)).toBe(sha(bytes));

    const over = await api.call("msg/upload", { content: randomBytes(LIMIT + 1).toString("base64") });
    expect(over.code).toBe(414);
    expect(over.desc).toMatch(/^content: too large/);
  });

  it("takes the file as multipart (msg/fileUpload), 15 MB, and refuses 15 MB + 1 naming content", async () => {
    const bytes = randomBytes(LIMIT);
    const form = new FormData();
    form.set("type", "application/pdf");
    form.set("ishttps", "true");
    form.set("expireSec", "86400");
    form.set("tag", "doc");
    form.set("content", new Blob([bytes]), "report.pdf");
    const res = await multipart("msg/fileUpload", form);
    expect(res.code, JSON.stringify(res)).toBe(200);
    expect(res.url as string).toMatch(/^https:\/\//);
    const got = await download(res.url as string);
    expect(got.status).toBe(200);
    // Not an image, audio or video: served as a download.
    expect(got.type).toBe("application/octet-stream");
    expect(sha(got.bytes)).toBe(sha(bytes));

    const big = new FormData();
    big.set("content", new Blob([randomBytes(LIMIT + 1)]), "big.bin");
    const over = await multipart("msg/fileUpload", big);
    expect(over.code).toBe(414);
    expect(over.desc).toMatch(/^content: too large/);

    // Another endpoint does not take multipart.
    const other = new FormData();
    other.set("accid", "someone");
    const refused = await multipart("user/create", other);
    expect(refused.code).toBe(414);
    expect(refused.desc).toMatch(/^Content-Type: multipart\/form-data is not accepted/);
  });

  it("takes NIM's Java SDK's own upload request (content \"abcdef\", unpadded base64, no type or tag, ishttps false, expireSec 86400)", async () => {
    const res = await api.call("msg/upload", { content: "abcdef", ishttps: "false", expireSec: "86400" });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const got = await download(res.url as string);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(Buffer.from("abcdef", "base64"))).toBe(true);
    // No type given: served as a download.
    expect(got.type).toBe("application/octet-stream");
  });

  it("job/nos/del deletes by time range, contentType substring and exact tag, answering data.taskid", async () => {
    const put = async (type: string, tag: string) => {
      const res = await api.call("msg/upload", { content: Buffer.from(`${type}/${tag}`).toString("base64"), type, tag });
      expect(res.code).toBe(200);
      return res.url as string;
    };
    const start = Date.now();
    const jpeg = await put("image/jpeg", "avatar");
    const png = await put("image/png", "avatar2");
    const mp4 = await put("video/mp4", "avatar");
    const end = Date.now();

    const res = await api.call("job/nos/del", { startTime: String(start), endTime: String(end), contentType: "image", tag: "avatar" });
    expect(res.code).toBe(200);
    expect(Object.keys(res.data as object)).toEqual(["taskid"]);
    expect(typeof (res.data as { taskid: unknown }).taskid).toBe("string");
    expect((await download(jpeg)).status).toBe(404);
    expect((await download(png)).status).toBe(200);
    expect((await download(mp4)).status).toBe(200);

    // Outside the time range: nothing.
    expect((await api.call("job/nos/del", { startTime: "0", endTime: String(start - 1) })).code).toBe(200);
    expect((await download(png)).status).toBe(200);
    expect((await api.call("job/nos/del", { startTime: String(start), endTime: String(end) })).code).toBe(200);
    expect((await download(png)).status).toBe(404);
    expect((await download(mp4)).status).toBe(404);
  });

  it("refuses bad parameters with 414 naming them, storing nothing; unknown file ids are 404", async () => {
    const ok = Buffer.from("x").toString("base64");
    const cases: [string, Record<string, string>, string][] = [
      ["msg/upload", {}, "content"],
      ["msg/upload", { content: "" }, "content"],
      ["msg/upload", { content: "not base64!" }, "content"],
      ["msg/upload", { content: ok, expireSec: "86399" }, "expireSec"],
      ["msg/upload", { content: ok, tag: "t".repeat(33) }, "tag"],
      ["msg/upload", { content: ok, ishttps: "yes" }, "ishttps"],
      ["job/nos/del", { startTime: "0" }, "endTime"],
      ["job/nos/del", { startTime: "10", endTime: "5" }, "endTime"],
      ["job/nos/del", { startTime: "x", endTime: "5" }, "startTime"],
    ];
    for (const [path, params, name] of cases) {
      const res = await api.call(path, params);
      expect(res.code, `${path} ${JSON.stringify(params)}`).toBe(414);
      expect(res.desc).toMatch(new RegExp(`^${name}:`));
    }
    for (const id of ["0".repeat(24), "0".repeat(32), "..%2F..%2Fetc%2Fpasswd"]) {
      expect((await fetch(`${api.url}/nimserver/files/${id}`)).status).toBe(404);
    }
  });
});
