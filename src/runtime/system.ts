import type { Logger } from "pino";
import type { Bus, BusSubscription } from "../bus/port.ts";
import type { Journal, Store } from "../store/port.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { ActorContext, ActorFactory, AskOptions } from "./actor.ts";
import { Activation, type ActivationHooks, type Envelope } from "./activation.ts";
import { AskDeadlines } from "./ask-deadlines.ts";
import type { ActorProtocol, ActorRef, ReplyOf, RequestOf, UntypedAddress } from "./actor-ref.ts";
import { AskEnvelope, TellEnvelope } from "./envelopes.ts";
import { parseAddress } from "./address.ts";
import { UnknownActorKindError } from "./errors.ts";
import type { Membership } from "./membership.ts";
import { ownerOf } from "./placement.ts";
import { decodeRemoteRequest, encodeRemoteReply } from "./remote.ts";
import { isBatch, RemoteBatches } from "./remote-batch.ts";
import { decode } from "../protocol/codec.ts";
import { emptyStats, type RuntimeStats } from "./stats.ts";
import { IdBlocks } from "./id-blocks.ts";
import { ActivationContext, type ContextHost } from "./activation-context.ts";

export interface ActorSystemOptions {
  store: Store;
  bus: Bus;
  membership: Membership;
  log: Logger;
  mailboxCapacity: number;
  askTimeoutMs: number;
  idlePassivateMs: number;
}

/** A fenced-off message is retried this many times before the caller hears 503. */
const MAX_ATTEMPTS = 5;
/** How long to wait before re-routing when the owner had no listener (it died or is starting). */
/** A message is forwarded at most this often when nodes disagree about its owner. */
const MAX_HOPS = 2;

/**
 * The actor system of one node: virtual actors activated where placement says, turn-based
 * mailboxes, `ask`/`tell` that cross to the owning node over the bus, idle passivation, and
 * hand-over when membership changes.
 */
export class ActorSystem {
  readonly stats: RuntimeStats = emptyStats();
  private readonly factories = new Map<string, ActorFactory>();
  private readonly activations = new Map<string, Activation>();
  private readonly deadlines = new AskDeadlines();
  private readonly nodeSubject: string;
  private serveSub: BusSubscription | undefined;
  private answersSub: BusSubscription | undefined;
  private readonly remote: RemoteBatches;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly onMembersChanged = (members: readonly string[]) => this.rebalance(members);
  private draining = false;
  /** One allocator per node, shared by every actor here: one store trip per block, not per id. */
  private readonly ids: IdBlocks;
  /** What every activation's context reaches through: one object per node, not closures per activation. */
  private readonly host: ContextHost;
  /** Shared by every activation (not a closure each). */
  private readonly activationHooks: ActivationHooks = { onStopped: (a, leftover) => this.onStopped(a, leftover) };

  constructor(private readonly opts: ActorSystemOptions) {
    this.nodeSubject = ActorSystem.subjectFor(opts.membership.self.nodeId);
    this.ids = new IdBlocks(opts.store.sequences);
    this.host = {
      nodeId: opts.membership.self.nodeId,
      journal: opts.store.journal,
      outbox: opts.store.outbox,
      sequences: opts.store.sequences,
      bus: opts.bus,
      membership: opts.membership,
      log: opts.log,
      ids: this.ids,
      ask: (address, message, options) => this.ask(address, message, options),
      tell: (address, message) => this.tell(address, message),
    };
    this.remote = new RemoteBatches({
      bus: opts.bus,
      selfNodeId: opts.membership.self.nodeId,
      subjectFor: (nodeId) => ActorSystem.subjectFor(nodeId),
      answersSubjectFor: (nodeId) => ActorSystem.answersSubjectFor(nodeId),
      reroute: (address, env) => this.route(address, env, 0),
      route: (address, env, hops) => {
        this.stats.remoteIn++;
        this.route(address, env, hops);
      },
    });
  }

  /** Where a node's batched asks are answered (remote-batch.ts). */
  static answersSubjectFor(nodeId: string): string {
    return `node.${nodeId}.answers`;
  }

  static subjectFor(nodeId: string): string {
    return `node.${nodeId}.actor`;
  }

  get nodeId(): string {
    return this.opts.membership.self.nodeId;
  }

  /** The store's journal: services that read conversations (history, sync) without an actor's turn use it. */
  get journal(): Journal {
    return this.opts.store.journal;
  }

  register(kind: string, factory: ActorFactory): this {
    if (this.factories.has(kind)) throw new Error(`actor kind ${kind} is registered twice`);
    this.factories.set(kind, factory);
    return this;
  }

  async start(): Promise<void> {
    this.serveSub = this.opts.bus.serve(this.nodeSubject, (data) => this.serveRemote(data));
    this.answersSub = this.opts.bus.subscribe(ActorSystem.answersSubjectFor(this.nodeId), (data) => this.remote.receiveAnswers(data));
    this.opts.membership.on("change", this.onMembersChanged);
    const every = Math.min(Math.max(this.opts.idlePassivateMs / 4, 50), 10_000);
    this.sweeper = setInterval(() => this.passivateIdle(), every);
    this.sweeper.unref();
  }

  /** Addresses of the live activations on this node (for the operator console), at most `limit`. */
  activeAddresses(limit: number): string[] {
    const out: string[] = [];
    for (const address of this.activations.keys()) {
      if (out.length >= limit) break;
      out.push(address);
    }
    return out;
  }

  /** Number of live activations and the messages waiting in their mailboxes. */
  load(): { active: number; mailboxDepth: number } {
    let mailboxDepth = 0;
    for (const a of this.activations.values()) mailboxDepth += a.mailbox.depth;
    return { active: this.activations.size, mailboxDepth };
  }

  isActiveHere(address: string): boolean {
    return this.activations.has(address);
  }

  /**
   * What the actor at `address` shared, if it is active on this node and has shared something;
   * otherwise undefined, and the caller asks it instead. A read without a turn sees the actor's
   * last shared (saved) state: a change whose save is still in flight is not seen yet, as it would
   * not be by an ask answered just before that change's turn — its caller has no answer yet either.
   */
  sharedView<V>(address: string): V | undefined {
    const act = this.activations.get(address);
    // Not while stopping: the actor may be moving to another node, which would answer an ask.
    return act?.status === "active" ? (act.view as V | undefined) : undefined;
  }

  /** Asks the actor at `ref`; answers what its protocol says it answers to `message`. */
  ask<P extends ActorProtocol, M extends RequestOf<P>>(ref: ActorRef<P>, message: M, options?: AskOptions): Promise<ReplyOf<P, M>>;
  /** Asks an actor by its plain address (the runtime's tests and benchmarks): the answer is unknown. */
  ask(address: UntypedAddress, message: unknown, options?: AskOptions): Promise<unknown>;
  ask(address: string, message: unknown, options?: AskOptions): Promise<unknown> {
    const timeoutMs = options?.timeoutMs ?? this.opts.askTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      this.route(address, new AskEnvelope(message, address, timeoutMs, this.deadlines, resolve, reject), 0);
    });
  }

  /** Fire and forget; a failure is logged, never thrown at the sender. */
  tell<P extends ActorProtocol>(ref: ActorRef<P>, message: RequestOf<P>): void;
  tell(address: UntypedAddress, message: unknown): void;
  tell(address: string, message: unknown): void {
    this.route(address, new TellEnvelope(message, address, this.opts.askTimeoutMs, this.opts.log), 0);
  }

  /** Stops every activation here, saving state; used on SIGTERM after leaving the cluster. */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.opts.membership.off("change", this.onMembersChanged);
    // Stop in waves: a message re-routed during the drain may start an activation after the first wave.
    while (this.activations.size > 0) {
      await Promise.all([...this.activations.values()].map((a) => a.stop()));
    }
    this.serveSub?.unsubscribe();
    this.answersSub?.unsubscribe();
    this.deadlines.settle();
  }

  private route(address: string, env: Envelope, hops: number): void {
    const owner = this.ownerFor(address);
    // Past MAX_HOPS the nodes disagree about membership; handling it here ends the ping-pong, and
    // the store's fencing keeps the overlap safe.
    if (owner === this.nodeId || hops >= MAX_HOPS) this.deliverLocal(address, env);
    else this.sendRemote(owner, address, env, hops);
  }

  private ownerFor(address: string): string {
    let members = this.opts.membership.members();
    // A draining node hands everything to the others, even actors it would still own.
    if (this.draining && members.length > 1) members = members.filter((m) => m !== this.nodeId);
    return members.length === 1 ? members[0]! : ownerOf(address, members);
  }

  private deliverLocal(address: string, env: Envelope): void {
    let act = this.activations.get(address);
    if (act && act.status === "stopping") {
      // Wait for it to save, then route again: the actor may live elsewhere by now.
      void act.stopped.then(() => this.route(address, env, 0));
      return;
    }
    if (!act) {
      try {
        act = this.activate(address);
      } catch (err) {
        env.reject(err instanceof UnknownActorKindError ? new NimbusError("NOT_FOUND", err.message) : err);
        return;
      }
    }
    if (!act.mailbox.push(env)) {
      this.stats.overloaded++;
      env.reject(new NimbusError("BUSY", `actor ${address} is overloaded`));
    }
  }

  private activate(address: string): Activation {
    const { kind, appKey, id } = parseAddress(address);
    const factory = this.factories.get(kind);
    if (!factory) throw new UnknownActorKindError(kind);
    const act = new Activation(
      address,
      kind,
      `${appKey}/${id}`,
      this.opts.mailboxCapacity,
      this.opts.store.snapshots,
      this.stats,
      this.opts.log,
      this.activationHooks,
    );
    this.activations.set(address, act);
    this.stats.activations++;
    act.run((a) => factory(this.contextFor(a, kind, appKey, id)));
    return act;
  }

  private onStopped(act: Activation, leftover: Envelope[]): void {
    if (this.activations.get(act.address) === act) this.activations.delete(act.address);
    for (const env of leftover) {
      env.attempts++;
      if (env.attempts >= MAX_ATTEMPTS) env.reject(new NimbusError("BUSY", `actor ${act.address} keeps moving; try again`));
      else this.route(act.address, env, 0);
    }
  }

  private contextFor(act: Activation, kind: string, appKey: string, id: string): ActorContext {
    return new ActivationContext(this.host, act, kind, appKey, id);
  }

  private sendRemote(owner: string, address: string, env: Envelope, hops: number): void {
    const remaining = env.deadline - Date.now();
    if (remaining <= 0) {
      env.reject(new NimbusError("TIMEOUT", `no answer from ${address} in time`));
      return;
    }
    this.stats.remoteOut++;
    this.remote.send(owner, address, env, hops + 1, remaining);
  }

  private serveRemote(data: Uint8Array): Promise<Uint8Array> {
    let req: ReturnType<typeof decodeRemoteRequest>;
    try {
      const wire = decode(data);
      if (isBatch(wire)) return Promise.resolve(this.remote.serveBatch(wire));
      // One request per message: what a node without batches (an older version) sends.
      this.stats.remoteIn++;
      req = decodeRemoteRequest(data);
    } catch (err) {
      return Promise.resolve(encodeRemoteReply({ ok: false, code: 998, desc: `bad actor request: ${(err as Error).message}` }));
    }
    return new Promise((resolve) => {
      const env: Envelope = {
        message: req.message,
        deadline: Date.now() + req.timeoutMs,
        attempts: 0,
        resolve: (value) => resolve(encodeRemoteReply({ ok: true, value })),
        reject: (err) => {
          const e = err instanceof NimbusError ? err : new NimbusError("INTERNAL");
          resolve(encodeRemoteReply({ ok: false, code: e.code, desc: e.message }));
        },
      };
      this.route(req.address, env, req.hops);
    });
  }

  private rebalance(members: readonly string[]): void {
    if (this.draining) return;
    for (const act of this.activations.values()) {
      if (act.status !== "stopping" && act.status !== "stopped" && ownerOf(act.address, members) !== this.nodeId) {
        void act.stop();
      }
    }
  }

  private passivateIdle(): void {
    const cutoff = Date.now() - this.opts.idlePassivateMs;
    for (const act of this.activations.values()) {
      if (act.status === "active" && act.mailbox.depth === 0 && act.lastActive < cutoff) void act.stop();
    }
  }
}
