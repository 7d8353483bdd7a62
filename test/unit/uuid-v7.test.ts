import { describe, expect, it } from "vitest";
import { newClientMsgId } from "../../src/client/client-msg-id.ts";
import { uuidV7 } from "../../src/util/uuid-v7.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);

describe("uuidV7", () => {
  it("is a UUID version 7 whose first 48 bits are the time in ms", () => {
    const now = Date.UTC(2026, 10, 26, 18, 30, 0, 123);
    const id = uuidV7(now);
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBe(now);
    // The largest time 48 bits hold, split across the two halves the function writes.
    expect(uuidV7(2 ** 48 - 1).slice(0, 13)).toBe("ffffffff-ffff");
  });

  it("sorts in the order of the times it was made at, as the store's index wants", () => {
    const t0 = Date.now();
    const ids = Array.from({ length: 200 }, (_, i) => uuidV7(t0 + i * 7));
    expect([...ids].sort()).toEqual(ids);
  });

  it("differs within one millisecond: 74 random bits after the time", () => {
    const now = Date.now();
    expect(new Set(Array.from({ length: 1000 }, () => uuidV7(now))).size).toBe(1000);
  });
});

describe("newClientMsgId", () => {
  it("is a UUID version 7 of the time it was made", () => {
    const before = Date.now();
    const id = newClientMsgId();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(Date.now());
  });
});
