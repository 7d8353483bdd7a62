import type { Logger } from "pino";
import type { Journal, Outbox, SequenceStore } from "../store/port.ts";
import type { ActorProtocol, ActorRef, ReplyOf, RequestOf, UntypedAddress } from "./actor-ref.ts";

export interface AskOptions {
  /** Defaults to the runtime's `askTimeoutMs`. */
  timeoutMs?: number;
}

/**
 * Everything an actor may do to the world. Actors never import transport code: they persist,
 * publish to bus subjects, talk to other actors and schedule messages to themselves through this.
 */
export interface ActorContext {
  readonly address: string;
  readonly kind: string;
  readonly appKey: string;
  readonly id: string;
  readonly nodeId: string;
  readonly journal: Journal;
  readonly outbox: Outbox;
  readonly sequences: SequenceStore;
  readonly log: Logger;
  /**
   * Saves the actor's state now, fenced by its version. If another activation wrote first this
   * throws, and the runtime drops this activation and retries the message on a fresh one: so a
   * handler persists before it tells anyone what it did.
   */
  persist(): Promise<void>;
  /** The state changed but need not be durable yet: it is saved on passivation. */
  markDirty(): void;
  /**
   * Lets this node read `view` without a mailbox turn (ActorSystem.sharedView) while this
   * activation lives: a read model of the actor's state, replaced as a whole, never mutated. Share
   * only what is durable (after `persist`), so a reader never sees what might still be rolled back.
   */
  share(view: unknown): void;
  /** Asks another actor (never itself: it would wait on its own turn); typed by the target's protocol. */
  ask<P extends ActorProtocol, M extends RequestOf<P>>(ref: ActorRef<P>, message: M, options?: AskOptions): Promise<ReplyOf<P, M>>;
  ask(address: UntypedAddress, message: unknown, options?: AskOptions): Promise<unknown>;
  tell<P extends ActorProtocol>(ref: ActorRef<P>, message: RequestOf<P>): void;
  tell(address: UntypedAddress, message: unknown): void;
  publish(subject: string, data: Uint8Array): void;
  /**
   * Whether that incarnation of a node (its id and start time) is a live member: soft state that
   * names a node, such as a device registry, is stale once its node is gone or restarted.
   */
  isNodeAlive(nodeId: string, startedAt: number): boolean;
  /** Delivers `message` to this actor's mailbox after `delayMs`, wherever it lives by then. */
  schedule(delayMs: number, message: unknown): () => void;
  /**
   * The next value of a cluster-wide id sequence (e.g. `msgid`): unique across nodes, growing on
   * this node, with gaps. Served from a per-node block (see id-blocks.ts): a number at once when
   * the node has one in hand, as it almost always does; a promise only while a block is reserved.
   */
  nextId(name: string): number | Promise<number>;
}

/**
 * An actor: state in memory, one message at a time. Subclasses give the initial state and the
 * message handler; the runtime loads `state` from the store before the first message and saves it
 * on `persist()` and on passivation.
 */
export abstract class Actor<S = unknown> {
  /** Set by the runtime before `onActivate`. */
  state!: S;

  constructor(protected readonly ctx: ActorContext) {}

  /** The state of an actor that was never saved. */
  abstract initialState(): S;

  /**
   * Handles one message; the return value is the reply to an `ask`. Throw a `NimbusError` to
   * answer with a NIM code; any other exception answers 500 and the actor keeps serving. Validate
   * before mutating state: a throw does not roll `state` back. A handler that can answer without
   * waiting should return its answer, not a promise: the actor then gets its next message without
   * an extra turn of the event loop.
   */
  abstract receive(message: unknown): unknown;

  /** After the state is loaded, before the first message. */
  onActivate(): void | Promise<void> {}

  /** Before the state is saved for the last time on this node. */
  onPassivate(): void | Promise<void> {}
}

export type ActorFactory = (ctx: ActorContext) => Actor;
