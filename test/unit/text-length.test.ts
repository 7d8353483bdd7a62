import { describe, it, expect } from "vitest";
import { z } from "zod";
import { text } from "../../src/http/nim/params.ts";
import { charCount, longerThan } from "../../src/protocol/text-length.ts";

describe("text length: characters are code points, counted by one helper", () => {
  it("counts a surrogate pair as one character and a lone surrogate as one", () => {
    expect(charCount("")).toBe(0);
    expect(charCount("abc")).toBe(3);
    expect(charCount("😀😀")).toBe(2);
    expect(charCount("a😀b")).toBe(3);
    expect(charCount("\ud800")).toBe(1);
    expect(charCount("\udc00\ud800")).toBe(2);
    expect(charCount("👍🏽")).toBe(2); // an emoji with a skin tone is two code points
  });

  it("decides a limit at its edge whatever the mix of units", () => {
    for (const [s, max, over] of [
      ["😀".repeat(128), 128, false],
      ["😀".repeat(129), 128, true],
      ["x".repeat(128), 128, false],
      ["x".repeat(129), 128, true],
      ["😀".repeat(64) + "x".repeat(64), 128, false],
      ["😀".repeat(64) + "x".repeat(65), 128, true],
    ] as const) {
      expect(longerThan(s, max), `${s.length} units, max ${max}`).toBe(over);
    }
  });

  it("is what REST parameters are checked with, and what the OpenAPI document publishes as maxLength", () => {
    const schema = text(4);
    expect(schema.safeParse("😀😀😀😀").success).toBe(true);
    expect(schema.safeParse("😀😀😀😀x").error?.issues[0]?.message).toBe("too long: at most 4 characters");
    expect(z.toJSONSchema(z.object({ p: schema }), { io: "input" }).properties?.p).toMatchObject({ maxLength: 4 });
  });
});
