import type { Logger } from "pino";
import type { Bus } from "../bus/port.ts";
import type { Journal, Outbox, SequenceStore } from "../store/port.ts";
import type { ActorContext, AskOptions } from "./actor.ts";
import type { Activation } from "./activation.ts";
import type { UntypedAddress } from "./actor-ref.ts";
import type { IdBlocks } from "./id-blocks.ts";
import type { Membership } from "./membership.ts";

/** What every context of one node shares: the node's system, seen from an actor. */
export interface ContextHost {
  readonly nodeId: string;
  /** The store's parts, read once (the node's store is a measuring Proxy: not a trap per access). */
  readonly journal: Journal;
  readonly outbox: Outbox;
  readonly sequences: SequenceStore;
  readonly bus: Bus;
  readonly membership: Membership;
  readonly log: Logger;
  readonly ids: IdBlocks;
  ask(address: UntypedAddress, message: unknown, options?: AskOptions): Promise<unknown>;
  tell(address: UntypedAddress, message: unknown): void;
}

/**
 * One activation's ActorContext. A class, not an object literal of arrow functions: every login
 * activates a few actors (its user, its team lists, its subscriptions, its inbox), and a literal
 * made ten closures per activation, each with its own context and, under tsx's keepNames, its own
 * property array for `name` — about 3 KB per activation, 12 KB per logged-in device (issue 24).
 * Here the methods are the prototype's; the child logger is made on first use (most actors never log).
 */
export class ActivationContext implements ActorContext {
  private logger: Logger | undefined;

  constructor(
    private readonly host: ContextHost,
    private readonly act: Activation,
    readonly kind: string,
    readonly appKey: string,
    readonly id: string,
  ) {}

  get address(): string {
    return this.act.address;
  }

  get nodeId(): string {
    return this.host.nodeId;
  }

  get journal(): Journal {
    return this.host.journal;
  }

  get outbox(): Outbox {
    return this.host.outbox;
  }

  get sequences(): SequenceStore {
    return this.host.sequences;
  }

  get log(): Logger {
    return (this.logger ??= this.host.log.child({ actor: this.act.address }));
  }

  persist(): Promise<void> {
    return this.act.persist();
  }

  markDirty(): void {
    this.act.markDirty();
  }

  share(view: unknown): void {
    this.act.view = view;
  }

  ask(target: string, message: unknown, options?: AskOptions): Promise<never> {
    if (target === this.act.address) return Promise.reject(new Error("an actor cannot ask itself: it would wait on its own turn"));
    return this.host.ask(target as UntypedAddress, message, options) as Promise<never>;
  }

  tell(target: string, message: unknown): void {
    this.host.tell(target as UntypedAddress, message);
  }

  publish(subject: string, data: Uint8Array): void {
    this.host.bus.publish(subject, data);
  }

  isNodeAlive(nodeId: string, startedAt: number): boolean {
    return this.host.membership.info(nodeId)?.startedAt === startedAt;
  }

  schedule(delayMs: number, message: unknown): () => void {
    const timer = setTimeout(() => this.host.tell(this.act.address as UntypedAddress, message), delayMs);
    return this.act.addTimer(timer);
  }

  nextId(name: string): number | Promise<number> {
    return this.host.ids.next(name);
  }
}
