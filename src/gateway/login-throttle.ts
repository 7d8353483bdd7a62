import { RateLimiterMemory } from "rate-limiter-flexible";
import type { LoginLockoutPolicy } from "../contracts/user.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { GatewayOptions } from "../config/gateway-options.ts";

/**
 * Failed logins per source address, on this node: after `loginFailuresPerAddress` failures within
 * `loginFailureWindowMs`, every login from the address is refused with 416 for `loginLockoutMs`.
 * Only failures count, so an address whose devices log in correctly is never slowed. The count is
 * per node (a guesser spread over N nodes gets N times the allowance; the per-account count, in
 * the user actor, is cluster-wide and is what protects an account).
 */
export class LoginThrottle {
  private readonly byAddress: RateLimiterMemory;
  /** The per-account policy, handed to the user actor with each token check. */
  readonly accountPolicy: LoginLockoutPolicy;

  constructor(private readonly options: GatewayOptions) {
    this.byAddress = new RateLimiterMemory({
      keyPrefix: "login-failures",
      points: options.loginFailuresPerAddress,
      duration: options.loginFailureWindowMs / 1000,
    });
    this.accountPolicy = {
      maxFailures: options.loginFailuresPerAccount,
      windowMs: options.loginFailureWindowMs,
      lockoutMs: options.loginLockoutMs,
    };
  }

  /** Throws 416 while the address is locked out. */
  async admit(ip: string): Promise<void> {
    const res = await this.byAddress.get(ip);
    if (res && res.consumedPoints > this.options.loginFailuresPerAddress && res.msBeforeNext > 0) {
      throw lockedOut(`from ${ip}`, res.msBeforeNext);
    }
  }

  /** A failed login from `ip`; the one that reaches the limit locks the address. */
  async failed(ip: string): Promise<void> {
    const res = await this.byAddress.penalty(ip);
    if (res.consumedPoints >= this.options.loginFailuresPerAddress) {
      await this.byAddress.block(ip, this.options.loginLockoutMs / 1000);
    }
  }
}

/** The 416 a locked-out login gets: what is locked, and for how long. */
export function lockedOut(what: string, ms: number): NimbusError {
  return new NimbusError("RATE_LIMITED", `too many failed logins ${what}: try again in ${Math.ceil(ms / 1000)} s`);
}
