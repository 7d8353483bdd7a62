import type { Logger } from "pino";
import { NimbusError } from "../protocol/errors.ts";
import type { Envelope } from "./activation.ts";
import type { AskDeadlines, TimedAsk } from "./ask-deadlines.ts";

/*
 * The two envelopes `ask` and `tell` route. Classes rather than object literals of arrow
 * functions: several envelopes are made per message, and under tsx (esbuild keepNames) every
 * named arrow in a literal costs an Object.defineProperty each time it is created.
 */

/** An ask: answered once, by the actor or by its deadline (AskDeadlines), whichever comes first. */
export class AskEnvelope implements Envelope, TimedAsk {
  attempts = 0;
  readonly deadline: number;
  prevAsk: TimedAsk | null = null;
  nextAsk: TimedAsk | null = null;
  queued = false;

  constructor(
    readonly message: unknown,
    private readonly address: string,
    readonly timeoutMs: number,
    private readonly deadlines: AskDeadlines,
    private readonly onValue: (value: unknown) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.deadline = Date.now() + timeoutMs;
    deadlines.add(this);
  }

  resolve(value: unknown): void {
    this.deadlines.remove(this);
    this.onValue(value);
  }

  reject(err: unknown): void {
    this.deadlines.remove(this);
    this.onError(err);
  }

  expire(): void {
    this.onError(new NimbusError("TIMEOUT", `no answer from ${this.address} within ${this.timeoutMs} ms`));
  }
}

/** A tell: nobody waits; a failure is only logged (at debug: the sender chose not to care). */
export class TellEnvelope implements Envelope {
  attempts = 0;
  /** No answer wanted: a remote batch sends it without an ask id (remote-batch.ts). */
  readonly oneWay = true;
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
