import type { Logger } from "pino";
import { NimbusError } from "../util/errors.ts";
import type { Envelope } from "./activation.ts";

/*
 * The two envelopes `ask` and `tell` route. Classes rather than object literals of arrow
 * functions: several envelopes are made per message, and under tsx (esbuild keepNames) every
 * named arrow in a literal costs an Object.defineProperty each time it is created.
 */

/** An ask: answered once, by the actor or by its own timer, whichever comes first. */
export class AskEnvelope implements Envelope {
  attempts = 0;
  readonly deadline: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly message: unknown,
    address: string,
    timeoutMs: number,
    private readonly onValue: (value: unknown) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.deadline = Date.now() + timeoutMs;
    this.timer = setTimeout(() => onError(new NimbusError("TIMEOUT", `no answer from ${address} within ${timeoutMs} ms`)), timeoutMs);
  }

  resolve(value: unknown): void {
    clearTimeout(this.timer);
    this.onValue(value);
  }

  reject(err: unknown): void {
    clearTimeout(this.timer);
    this.onError(err);
  }
}

/** A tell: nobody waits; a failure is only logged (at debug: the sender chose not to care). */
export class TellEnvelope implements Envelope {
  attempts = 0;
  readonly deadline: number;

  constructor(
    readonly message: unknown,
    private readonly address: string,
    timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  resolve(): void {}

  reject(err: unknown): void {
    this.log.debug({ err, actor: this.address }, "tell failed");
  }
}
