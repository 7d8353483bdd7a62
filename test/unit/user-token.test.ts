import { describe, it, expect } from "vitest";
import { generateToken, hashToken, tokenMatches } from "../../actors/user/token.ts";

describe("user tokens", () => {
  it("generates 32 hex characters, different every time", () => {
    const tokens = new Set(Array.from({ length: 100 }, generateToken));
    expect(tokens.size).toBe(100);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{32}$/);
  });

  it("verifies the token it hashed and nothing else", () => {
    const stored = hashToken("s3cret");
    expect(tokenMatches(stored, "s3cret")).toBe(true);
    for (const other of ["", "s3cret ", "S3CRET", "s3cre", "s3cret\u0000"]) expect(tokenMatches(stored, other)).toBe(false);
  });

  it("salts every hash: one token never hashes alike twice, and the hash does not contain it", () => {
    const a = hashToken("same");
    const b = hashToken("same");
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
