import type { Logger } from "pino";
import type { SnapshotStore } from "../store/port.ts";
import { isFencingError } from "../store/errors.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { Actor, ActorContext } from "./actor.ts";
import { AnswerLater } from "./answer-later.ts";
import { StaleActivationError } from "./errors.ts";
import { Mailbox, type MailboxConsumer } from "./mailbox.ts";
import type { RuntimeStats } from "./stats.ts";

/** One message on its way through a mailbox. */
export interface Envelope {
  message: unknown;
  /** After this (ms since the epoch) nobody waits for the answer: the message is dropped unhandled. */
  deadline: number;
  /** How many activations have already been fenced off while holding it. */
  attempts: number;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export type ActivationStatus = "loading" | "active" | "stopping" | "stopped";

const SETTLED = Promise.resolve();

/**
 * Activations woken since the last run, whose turns run together in one microtask (a settled
 * promise's reaction: Node's queueMicrotask makes an async resource per call). Never inside the
 * call that woke them, and with no closure of their own to wake them by.
 */
const woken: Activation[] = [];

function runWoken(): void {
  // Activations woken while this runs (one actor telling another) join the end of the list.
  for (let i = 0; i < woken.length; i++) {
    try {
      woken[i]!.takeTurns();
    } catch (err) {
      // Handlers' errors are caught in their turns; anything else is a bug, reported as such once
      // the rest have run, rather than leaving them unwoken.
      void Promise.reject(err);
    }
  }
  woken.length = 0;
}

/** The message whose turn was fenced off, and why. */
interface FencedTurn {
  env: Envelope;
  err: unknown;
}

interface OwedAnswer {
  env: Envelope;
  settled: boolean;
  /** Failed fenced: to be handled again by a fresh activation. */
  retry: boolean;
  done: Promise<void>;
}

export interface ActivationHooks {
  /** The activation is gone; `leftover` are messages it accepted but did not handle, in order. */
  onStopped(activation: Activation, leftover: Envelope[]): void;
}

/**
 * One live actor on this node: the mailbox loop, the snapshot version that fences its writes, and
 * the lifecycle load -> active -> stopping -> stopped. Every hook and handler runs inside a
 * try/catch, so one exception becomes an error reply and never a dead loop.
 */
export class Activation implements MailboxConsumer {
  status: ActivationStatus = "loading";
  lastActive = Date.now();
  /** What the actor shares with its node (ActorContext.share). */
  view: unknown = undefined;
  readonly mailbox: Mailbox<Envelope>;
  /** Made only when someone waits for the stop (few do): a promise and its resolver cost every idle actor. */
  private stoppedPromise: Promise<void> | undefined;
  private markStopped: (() => void) | undefined;
  private version = 0;
  private dirty = false;
  /** Made on the first timer: most actors never schedule one. */
  private timers: Set<NodeJS.Timeout> | undefined;
  private actor!: Actor;
  /** Answers still owed after their turn (AnswerLater), oldest first; settled ones leave from the front. */
  private readonly owed: OwedAnswer[] = [];
  /** An owed answer failed with a fencing error: stop taking messages and hand them on. */
  private fencedLater = false;
  /** Ends the turns: null once the mailbox has ended, or the turn that was fenced off. */
  private served!: (fenced: FencedTurn | null) => void;

  constructor(
    readonly address: string,
    readonly kind: string,
    private readonly snapshotKey: string,
    capacity: number,
    private readonly snapshots: SnapshotStore,
    private readonly stats: RuntimeStats,
    private readonly log: Logger,
    private readonly hooks: ActivationHooks,
  ) {
    this.mailbox = new Mailbox<Envelope>(capacity);
  }

  /** Loads the state, then serves the mailbox until stopped. `makeActor` gets this activation's context. */
  run(makeActor: (activation: Activation) => Actor): void {
    void this.loop(makeActor);
  }

  async persist(): Promise<void> {
    if (this.status === "stopped") throw new StaleActivationError(this.address);
    this.version = await this.snapshots.save(this.kind, this.snapshotKey, this.actor.state, this.version);
    this.dirty = false;
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** A timer that dies with the activation. */
  addTimer(timer: NodeJS.Timeout): () => void {
    (this.timers ??= new Set()).add(timer);
    return () => {
      clearTimeout(timer);
      this.timers?.delete(timer);
    };
  }

  /** Resolves once the activation has stopped (at once if it has). */
  get stopped(): Promise<void> {
    if (this.status === "stopped") return this.stoppedPromise ?? SETTLED;
    return (this.stoppedPromise ??= new Promise((resolve) => (this.markStopped = resolve)));
  }

  /** Accept no more; finish what is queued; save; go. Resolves when stopped. */
  stop(): Promise<void> {
    if (this.status === "loading" || this.status === "active") {
      this.status = "stopping";
      this.mailbox.close();
    }
    return this.stopped;
  }

  private async loop(makeActor: (activation: Activation) => Actor): Promise<void> {
    try {
      this.actor = makeActor(this);
      const snap = await this.snapshots.load(this.kind, this.snapshotKey);
      this.actor.state = snap ? (snap.state as typeof this.actor.state) : this.actor.initialState();
      this.version = snap?.version ?? 0;
      await this.actor.onActivate();
    } catch (err) {
      this.log.error({ err, actor: this.address }, "actor failed to activate");
      this.finish(this.mailbox.takeAll(), new NimbusError("UNAVAILABLE", "actor could not be activated", { cause: err }));
      return;
    }
    if (this.status === "loading") this.status = "active";

    const fenced = await new Promise<FencedTurn | null>((resolve) => {
      this.served = resolve;
      this.takeTurns();
    });
    if (fenced) return this.fenceOff([fenced.env], fenced.err);

    // The mailbox was closed and drained, or an owed answer fenced this activation off.
    await this.settleOwed();
    if (this.fencedLater) return this.fenceOff([]);
    try {
      await this.actor.onPassivate();
      if (this.dirty) await this.persist();
    } catch (err) {
      this.log.error({ err, actor: this.address }, "actor failed to passivate cleanly");
    }
    this.stats.passivations++;
    this.finish([]);
  }

  /**
   * Handles what is queued, one message per turn, synchronously while handlers answer at once; a
   * handler's promise is awaited before the next turn. With nothing queued it asks the mailbox to
   * tell it (`ready`), and its next turns run among the woken (runWoken): a handler never runs
   * inside its sender's call, and no promise or iterator result is made per message. Ends
   * (`served`) when the mailbox has ended, or at once when a turn is fenced off.
   */
  takeTurns(): void {
    for (;;) {
      const env = this.mailbox.poll();
      if (env === undefined) {
        if (this.mailbox.ended) this.served(null);
        else this.mailbox.whenReady(this);
        return;
      }
      const now = Date.now();
      if (env.deadline < now) {
        env.reject(new NimbusError("TIMEOUT", "request expired in the actor's mailbox"));
        continue;
      }
      this.lastActive = now;
      try {
        const result = this.actor.receive(env.message);
        if (result instanceof Promise) {
          result.then(
            (value) => this.answeredLater(env, value),
            (err: unknown) => this.failedLater(env, err),
          );
          return;
        }
        this.answer(env, result);
      } catch (err) {
        if (this.turnFailed(env, err)) return;
      }
    }
  }

  /** Its mailbox has something again (MailboxConsumer): the next turns run among the woken. */
  ready(): void {
    if (woken.push(this) === 1) void SETTLED.then(runWoken);
  }

  private answeredLater(env: Envelope, value: unknown): void {
    try {
      this.answer(env, value);
    } catch (err) {
      if (this.turnFailed(env, err)) return;
    }
    this.takeTurns();
  }

  private failedLater(env: Envelope, err: unknown): void {
    if (!this.turnFailed(env, err)) this.takeTurns();
  }

  private answer(env: Envelope, value: unknown): void {
    if (value instanceof AnswerLater) {
      this.owe(env, value.promise);
      return;
    }
    this.stats.handled++;
    env.resolve(value);
  }

  /** True when the turn was fenced off: the turns end, and this message is handled again elsewhere. */
  private turnFailed(env: Envelope, err: unknown): boolean {
    // Another activation owns the truth now: hand this message and the rest back, unhandled.
    if (isFencingError(err) || err instanceof StaleActivationError) {
      this.served({ env, err });
      return true;
    }
    this.fail(env, err);
    return false;
  }

  private fail(env: Envelope, err: unknown): void {
    this.stats.handled++;
    this.stats.failed++;
    if (err instanceof NimbusError) env.reject(err);
    else {
      this.log.error({ err, actor: this.address }, "actor handler threw");
      env.reject(new NimbusError("INTERNAL", "actor handler failed", { cause: err }));
    }
  }

  /** Keeps `env` until `answer` settles (see AnswerLater); the loop goes on to the next message. */
  private owe(env: Envelope, answer: Promise<unknown>): void {
    const owed: OwedAnswer = { env, settled: false, retry: false, done: Promise.resolve() };
    owed.done = answer.then(
      (value) => {
        owed.settled = true;
        this.stats.handled++;
        env.resolve(value);
      },
      (err: unknown) => {
        owed.settled = true;
        if (isFencingError(err) || err instanceof StaleActivationError) {
          owed.retry = true;
          this.fencedLater = true;
          this.mailbox.interrupt();
        } else this.fail(env, err);
      },
    );
    while (this.owed[0]?.settled && !this.owed[0].retry) this.owed.shift();
    this.owed.push(owed);
  }

  /** Only called once the loop takes no more turns, so nothing is added to `owed` meanwhile. */
  private async settleOwed(): Promise<void> {
    await Promise.all(this.owed.map((o) => o.done));
  }

  /**
   * Fenced off. Once every owed answer has settled, the messages to handle again go back, in the
   * order they came: owed ones that failed fenced, then `taken`, then the rest of the mailbox.
   */
  private async fenceOff(taken: Envelope[], cause?: unknown): Promise<void> {
    this.status = "stopping";
    await this.settleOwed();
    this.stats.fenced++;
    this.log.warn(
      { actor: this.address, err: cause === undefined ? undefined : String(cause) },
      "activation fenced off; retrying on a fresh one",
    );
    const again = this.owed.filter((o) => o.retry).map((o) => o.env);
    this.finish([...again, ...taken, ...this.mailbox.takeAll()]);
  }

  private finish(leftover: Envelope[], failWith?: unknown): void {
    this.status = "stopped";
    this.mailbox.close();
    if (this.timers) for (const t of this.timers) clearTimeout(t);
    this.timers = undefined;
    if (failWith !== undefined) {
      for (const env of leftover) env.reject(failWith);
      leftover = [];
    }
    this.hooks.onStopped(this, leftover);
    this.markStopped?.();
  }
}

export type { ActorContext };
