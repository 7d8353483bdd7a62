export interface ReconnectPolicy {
  /** Reconnect by itself after an unexpected disconnect (default true). */
  enabled: boolean;
  /** Delay before the first attempt; doubled each attempt up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Give up (and emit `closed`) after this many attempts in a row; Infinity never gives up. */
  maxAttempts: number;
  /** ± this fraction of random spread, so a node's devices do not all come back in the same instant. */
  jitter: number;
}

export const defaultReconnectPolicy: ReconnectPolicy = {
  enabled: true,
  minDelayMs: 250,
  maxDelayMs: 15_000,
  maxAttempts: Number.POSITIVE_INFINITY,
  jitter: 0.2,
};

/** The wait before attempt `n` (1-based). */
export function backoffDelay(policy: ReconnectPolicy, attempt: number): number {
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(attempt - 1, 30));
  const spread = base * policy.jitter * (Math.random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
