import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "../../src/hooks/sign.ts";
import { parseCallbackAnswer } from "../../src/hooks/callback-answer.ts";

describe("hooks: NIM's signature and the callback answer", () => {
  it("signs as NIM documents: MD5 of the raw body, CheckSum = sha1(AppSecret + MD5 + CurTime), CurTime in ms", () => {
    const h = signBody("key1", "secret1", "{}", 1_700_000_000_123);
    // NIM's console checks an address with the body {} and this MD5 (nim-server-api.md §1.6).
    expect(h).toEqual({
      AppKey: "key1",
      CurTime: "1700000000123",
      MD5: "99914b932bd37a50b983c5e7c90ae93b",
      CheckSum: createHash("sha1").update("secret199914b932bd37a50b983c5e7c90ae93b1700000000123").digest("hex"),
    });
    expect(verifySignature("secret1", "{}", h)).toBe(true);
    expect(verifySignature("secret1", "{ }", h)).toBe(false);
    expect(verifySignature("other", "{}", h)).toBe(false);
    expect(verifySignature("secret1", "{}", { ...h, CheckSum: h.CheckSum.toUpperCase() })).toBe(true);
    expect(verifySignature("secret1", "{}", { MD5: h.MD5 })).toBe(false);
  });

  it("reads errCode, responseCode, modifyResponse (object or JSON string) and callbackExt, and names what is malformed", () => {
    expect(parseCallbackAnswer('{"errCode":0}')).toEqual({ allow: true });
    expect(parseCallbackAnswer('{"errCode":"1","responseCode":20001,"callbackExt":"no"}')).toEqual({
      allow: false,
      responseCode: 20001,
      callbackExt: "no",
    });
    expect(parseCallbackAnswer('{"errCode":0,"modifyResponse":"{\\"body\\":\\"x\\"}"}')).toEqual({ allow: true, modify: { body: "x" } });
    expect(parseCallbackAnswer('{"errCode":0,"modifyResponse":{"ext":"e"}}')).toEqual({ allow: true, modify: { ext: "e" } });
    // A public handler's "refuse" answer (nim-server-api.md §4.2): refused, with 403 rather than a code that reads as success.
    expect(parseCallbackAnswer('{"errCode":1,"responseCode":200,"modifyResponse":"{}"}')).toEqual({ allow: false });
    expect(parseCallbackAnswer('{"errCode":1,"responseCode":"x"}')).toEqual({ problem: "responseCode: must be an integer code" });
    expect(parseCallbackAnswer("")).toEqual({ problem: "not JSON" });
    expect(parseCallbackAnswer("[1]")).toEqual({ problem: "not a JSON object" });
    expect(parseCallbackAnswer('{"errCode":2}')).toEqual({ problem: "errCode: must be 0 or 1" });
    expect(parseCallbackAnswer('{"errCode":0,"modifyResponse":"{oops"}')).toEqual({ problem: "modifyResponse: not JSON" });
    expect(parseCallbackAnswer('{"errCode":0,"modifyResponse":[1]}')).toEqual({ problem: "modifyResponse: not an object" });
    expect(parseCallbackAnswer('{"errCode":0,"callbackExt":7}')).toEqual({ problem: "callbackExt: must be a string" });
  });
});
