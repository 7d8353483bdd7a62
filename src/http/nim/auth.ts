import { createHash, timingSafeEqual } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { App, AppRegistry } from "../../apps/registry.ts";
import { NimbusError } from "../../protocol/errors.ts";

/** NIM accepts a CheckSum for five minutes either side of CurTime. */
export const CHECKSUM_WINDOW_SECONDS = 300;

export function checkSum(appSecret: string, nonce: string, curTime: string): string {
  return createHash("sha1")
    .update(appSecret + nonce + curTime)
    .digest("hex");
}

export interface AuthHeaders {
  appKey?: string;
  nonce?: string;
  curTime?: string;
  checkSum?: string;
}

/**
 * The server-API signature check: `CheckSum = sha1(AppSecret + Nonce + CurTime)`, compared in
 * constant time; CurTime within ±5 minutes; a Nonce seen in that window is a replay. The nonce
 * memory is per node and bounded; a replay sent to another node of a cluster is not caught.
 */
export class RequestAuthenticator {
  private readonly seen: LRUCache<string, true>;

  constructor(
    private readonly apps: AppRegistry,
    maxRememberedNonces = 1_000_000,
  ) {
    this.seen = new LRUCache({ max: maxRememberedNonces, ttl: 2 * CHECKSUM_WINDOW_SECONDS * 1000, ttlAutopurge: false });
  }

  authenticate(h: AuthHeaders, nowMs = Date.now()): App {
    if (!h.appKey) throw new NimbusError("PARAM_ERROR", "AppKey header is missing");
    if (!h.nonce) throw new NimbusError("PARAM_ERROR", "Nonce header is missing");
    if (!h.curTime) throw new NimbusError("PARAM_ERROR", "CurTime header is missing");
    if (!h.checkSum) throw new NimbusError("PARAM_ERROR", "CheckSum header is missing");
    if (h.nonce.length > 128) throw new NimbusError("PARAM_ERROR", "Nonce is longer than 128 characters");
    const app = this.apps.get(h.appKey);
    if (!app) throw new NimbusError("FORBIDDEN", "unknown AppKey");
    if (!/^\d{1,12}$/.test(h.curTime)) throw new NimbusError("PARAM_ERROR", "CurTime must be seconds since the epoch");
    if (Math.abs(nowMs / 1000 - Number(h.curTime)) > CHECKSUM_WINDOW_SECONDS) {
      throw new NimbusError("PARAM_ERROR", "CurTime is outside the 5-minute window");
    }
    const expected = Buffer.from(checkSum(app.appSecret, h.nonce, h.curTime), "utf8");
    const given = Buffer.from(h.checkSum.toLowerCase(), "utf8");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new NimbusError("PARAM_ERROR", "CheckSum does not match");
    }
    // Only a correctly signed request consumes its nonce, so nobody can burn another's nonces.
    const key = `${app.appKey}\u0000${h.nonce}`;
    if (this.seen.has(key)) throw new NimbusError("DUPLICATE_REQUEST", "Nonce was already used: replayed request");
    this.seen.set(key, true);
    return app;
  }
}
