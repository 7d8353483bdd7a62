import { describe, it, expect } from "vitest";
import { FrameRateLimiter } from "../../src/gateway/rate-limit.ts";
import { KickedTokens } from "../../src/gateway/kicked-tokens.ts";
import { clientCategory } from "../../src/protocol/client-category.ts";
import { resolveGatewayOptions } from "../../src/config/gateway-options.ts";
import { Packr } from "msgpackr";
import {
  asKick,
  decodeUserEvent,
  decodeUserEventEnvelope,
  encodeUserEvent,
  userSubject,
  KickReason,
} from "../../src/protocol/user-events.ts";
import { encode } from "../../src/protocol/codec.ts";
import { backoffDelay, defaultReconnectPolicy } from "../../src/client/backoff.ts";
import { CLIENT_TYPES } from "../../src/protocol/link.ts";

describe("gateway units", () => {
  it("rate limiter: a burst, then the sustained rate, counting refusals in a row", () => {
    let now = 0;
    const r = new FrameRateLimiter(10, 3, () => now);
    expect([r.take(), r.take(), r.take(), r.take(), r.take()]).toEqual([true, true, true, false, false]);
    expect(r.refusedInARow).toBe(2);
    now += 100; // one token at 10/s
    expect([r.take(), r.take()]).toEqual([true, false]);
    expect(r.refusedInARow).toBe(1);
    now += 10_000; // refills to the burst, never beyond
    expect([r.take(), r.take(), r.take(), r.take()]).toEqual([true, true, true, false]);
  });

  it("kicked tokens expire", () => {
    const k = new KickedTokens(50);
    k.add("t1", { reason: KickReason.SERVER });
    expect(k.get("t1")).toEqual({ reason: KickReason.SERVER });
    expect(k.get("t2")).toBeUndefined();
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(k.get("t1")).toBeUndefined();
        resolve();
      }, 80),
    );
  });

  it("user events: subject, round trip, and what counts as a kick", () => {
    expect(userSubject("app1", "Alice.B@x")).toBe("user.app1.alice.b@x");
    expect(decodeUserEvent(encodeUserEvent({ ev: "msg", n: 1 }))).toEqual({ ev: "msg", n: 1 });
    // A msgid above 2^32 stays a plain number for every SDK (msgpackr's float64, not uint64).
    const big = encodeUserEvent({ ev: "msg", msgid: 1200510468189 }, { accid: "al", deviceId: "d1" });
    expect(decodeUserEventEnvelope(big)).toMatchObject({ ev: "msg", origin: { accid: "al", deviceId: "d1" } });
    expect(Buffer.from(decodeUserEventEnvelope(big).body)).toEqual(new Packr({ useRecords: false }).pack({ msgid: 1200510468189 }));
    expect(decodeUserEvent(big)).toEqual({ ev: "msg", msgid: 1200510468189 });
    // The envelope is plain msgpack, byte for byte what the project codec writes (PROTOCOL.md §8).
    expect(Buffer.from(big)).toEqual(Buffer.from(encode(["msg", decodeUserEventEnvelope(big).body, ["al", "d1"]])));
    expect(() => decodeUserEvent(encode({ ev: "msg", n: 1 }))).toThrow(/\[ev, body, origin\]/);
    expect(() => decodeUserEvent(encode(["", new Uint8Array(1), null]))).toThrow(/ev/);
    expect(() => decodeUserEvent(encode(["msg", "not bytes", null]))).toThrow(/body/);
    expect(() => decodeUserEvent(encode(["msg", new Uint8Array([0x01]), null]))).toThrow(/map/);
    expect(() => decodeUserEvent(encode(["msg", new Uint8Array([0x80]), ["al"]]))).toThrow(/origin/);
    expect(() => decodeUserEvent(new Uint8Array([0xc1]))).toThrow();
    expect(asKick({ ev: "kick", reason: 5, deviceIds: ["a"], desc: "d" })).toEqual({ ev: "kick", reason: 5, deviceIds: ["a"], desc: "d" });
    expect(asKick({ ev: "kick", reason: 4, sessionIds: ["s1"] })).toEqual({ ev: "kick", reason: 4, sessionIds: ["s1"] });
    expect(asKick({ ev: "kick", reason: 1 })).toBeUndefined();
    expect(asKick({ ev: "kick", reason: 3, deviceIds: [1] })).toBeUndefined();
    expect(asKick({ ev: "msg", reason: 3 })).toBeUndefined();
  });

  it("client categories for the one-desktop-one-mobile policy cover every client type", () => {
    expect(CLIENT_TYPES.map((t) => `${t}:${clientCategory(t)}`)).toEqual([
      "AOS:mobile",
      "IOS:mobile",
      "PC:desktop",
      "WEB:desktop",
      "MAC:desktop",
      "HARMONY:mobile",
    ]);
  });

  it("options: defaults fill in, nonsense is refused", () => {
    expect(resolveGatewayOptions({ resumeWindowMs: 5 }).maxFrameBytes).toBe(64 * 1024);
    expect(() => resolveGatewayOptions({ ratePerSecond: 0 })).toThrow(/ratePerSecond/);
  });

  it("backoff doubles up to the cap, within the jitter", () => {
    const p = { ...defaultReconnectPolicy, minDelayMs: 100, maxDelayMs: 1000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(p, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    const jittered = backoffDelay({ ...p, jitter: 0.2 }, 3);
    expect(jittered).toBeGreaterThanOrEqual(320);
    expect(jittered).toBeLessThanOrEqual(480);
  });
});
