import { createHash, timingSafeEqual } from "node:crypto";

/** The headers NIM signs its callbacks and data sync with (nim-server-api.md §1.6). */
export interface SignedHeaders {
  AppKey: string;
  /** Milliseconds since the epoch, as a string. */
  CurTime: string;
  /** Lower-case hex MD5 of the raw body. */
  MD5: string;
  /** Lower-case hex sha1(AppSecret + MD5 + CurTime). */
  CheckSum: string;
}

export function md5Hex(body: string | Uint8Array): string {
  return createHash("md5").update(body).digest("hex");
}

export function checkSum(appSecret: string, md5: string, curTime: string): string {
  return createHash("sha1")
    .update(appSecret + md5 + curTime)
    .digest("hex");
}

/** Signs `body` (the exact bytes that will be sent) as NIM does. */
export function signBody(appKey: string, appSecret: string, body: string, now = Date.now()): SignedHeaders {
  const curTime = String(now);
  const md5 = md5Hex(body);
  return { AppKey: appKey, CurTime: curTime, MD5: md5, CheckSum: checkSum(appSecret, md5, curTime) };
}

/**
 * What a receiver checks: the MD5 is of the body it read, and the CheckSum was made with the secret.
 * Both compared in constant time; case-insensitive, as hex is.
 */
export function verifySignature(
  appSecret: string,
  body: string | Uint8Array,
  headers: { MD5?: string; CurTime?: string; CheckSum?: string },
): boolean {
  const { MD5: md5, CurTime: curTime, CheckSum: sum } = headers;
  if (!md5 || !curTime || !sum) return false;
  const same = (a: string, b: string) =>
    a.length === b.length && timingSafeEqual(Buffer.from(a.toLowerCase()), Buffer.from(b.toLowerCase()));
  return same(md5Hex(body), md5) && same(checkSum(appSecret, md5.toLowerCase(), curTime), sum);
}
