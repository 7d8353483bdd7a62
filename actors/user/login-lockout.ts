import type { LoginLockoutPolicy } from "../../src/contracts/user.ts";

/**
 * The failed logins of one account, kept by its user actor. Every login of the account, from any
 * node, asks this one actor to check the token, so counting here is cluster-wide for free: a brute
 * force spread over the nodes is counted as one. The count lives in memory only — a wrong token
 * must not cost a write, or guessing would load the store — so it starts over when the actor is
 * activated again (after it was idle, or on another node after a failover).
 *
 * One counter, fixed window, the policy handed in with each check: a rate-limiter library's memory
 * store (keys, a timer per key, a policy fixed at construction) would be more machinery than one
 * account's three numbers. The gateway's per-address count, with many keys, uses one.
 */
export class LoginLockout {
  private failures = 0;
  private windowEndsAt = 0;
  private lockedUntil = 0;

  /** How much longer logins stay refused; 0 when they are not. */
  lockedFor(now: number): number {
    return Math.max(0, this.lockedUntil - now);
  }

  /** A wrong token. Answers how long the account is now locked for (0: not locked yet). */
  failed(policy: LoginLockoutPolicy, now: number): number {
    if (now >= this.windowEndsAt) {
      this.failures = 0;
      this.windowEndsAt = now + policy.windowMs;
    }
    this.failures++;
    if (this.failures < policy.maxFailures) return 0;
    this.failures = 0;
    this.windowEndsAt = 0;
    this.lockedUntil = now + policy.lockoutMs;
    return policy.lockoutMs;
  }

  /** The right token, while not locked: the count starts over, and the next failure opens a new window. */
  succeeded(): void {
    this.failures = 0;
    this.windowEndsAt = 0;
  }
}
