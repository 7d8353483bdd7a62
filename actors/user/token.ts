import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Login tokens are kept only as salted SHA-256 hashes: a leaked snapshot does not let anyone log
 * in. SHA-256 (not a slow password hash) is enough because tokens are random or app-chosen
 * secrets checked on every login, not human passwords.
 */
export interface TokenHash {
  salt: string;
  hash: string;
}

/** NIM's generated tokens are 32 hex characters. */
export function generateToken(): string {
  return randomBytes(16).toString("hex");
}

function digest(salt: string, token: string): string {
  return createHash("sha256").update(salt, "utf8").update("\u0000").update(token, "utf8").digest("hex");
}

/** A fresh salt per hash, so equal tokens of two accounts do not hash alike. */
export function hashToken(token: string): TokenHash {
  const salt = randomBytes(16).toString("hex");
  return { salt, hash: digest(salt, token) };
}

/** Constant-time, so the comparison does not reveal how much of a guess was right. */
export function tokenMatches(stored: TokenHash, token: string): boolean {
  const given = Buffer.from(digest(stored.salt, token), "hex");
  const expected = Buffer.from(stored.hash, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
