import { createHash, timingSafeEqual } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { App, AppRegistry } from "../../apps/registry.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { StoreUnavailableError, type NonceStore } from "../../store/mod.ts";

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
 * How long after CurTime a nonce is remembered: the 5 minutes a request stays acceptable, and a
 * minute more for another node whose clock runs behind this one's.
 */
const NONCE_KEEP_MS = (CHECKSUM_WINDOW_SECONDS + 60) * 1000;

/**
 * The server-API signature check: `CheckSum = sha1(AppSecret + Nonce + CurTime)` as hex (NIM's SDKs
 * send lowercase; uppercase is the same digest and is accepted too), compared in constant time;
 * CurTime within ±5 minutes; a Nonce already used with that CurTime is a replay (431).
 *
 * The store decides replays (NonceStore: one atomic claim per nonce), so a replay is refused by
 * every node of a cluster and after a restart. A per-node cache in front answers a replay to the
 * same node without asking the store; it never lets a request through on its own.
 */
export class RequestAuthenticator {
  private readonly seen: LRUCache<string, true>;

  constructor(
    private readonly apps: AppRegistry,
    private readonly nonces: NonceStore,
    maxCachedNonces = 100_000,
  ) {
    this.seen = new LRUCache({ max: maxCachedNonces, ttl: NONCE_KEEP_MS, ttlAutopurge: false });
  }

  async authenticate(h: AuthHeaders, nowMs = Date.now()): Promise<App> {
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
    // Only a correctly signed request consumes its nonce, so nobody can burn another's nonces. The
    // key holds CurTime too: a replay repeats both (changing either needs the secret), and once the
    // entry expires the same request is refused by its CurTime, so an expired key is never needed
    // again. The app key has no '/' and CurTime only digits, so keys never run into each other.
    const key = `${app.appKey}/${h.curTime}/${h.nonce}`;
    if (this.seen.has(key) || !(await this.claim(key, Number(h.curTime) * 1000 + NONCE_KEEP_MS))) {
      throw new NimbusError("DUPLICATE_REQUEST", "Nonce was already used: replayed request");
    }
    this.seen.set(key, true);
    return app;
  }

  private async claim(key: string, expireAt: number): Promise<boolean> {
    try {
      return await this.nonces.claim(key, expireAt);
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        throw new NimbusError("UNAVAILABLE", "the Nonce cannot be checked now: try again", { cause: err });
      }
      throw err;
    }
  }
}
