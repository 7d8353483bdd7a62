import { EventEmitter } from "node:events";
import type { Bus, BusSubscription } from "../bus/port.ts";
import { encode, decode } from "../protocol/codec.ts";

export interface MemberInfo {
  nodeId: string;
  /** How clients and other nodes reach it (host:port). */
  address: string;
  startedAt: number;
}

/**
 * Who is alive. `members()` always includes this node and is sorted, so every node with the same
 * view computes the same placement. "change" fires with the new list whenever it changes.
 */
export interface Membership {
  readonly self: MemberInfo;
  members(): readonly string[];
  info(nodeId: string): MemberInfo | undefined;
  on(event: "change", listener: (members: readonly string[]) => void): void;
  off(event: "change", listener: (members: readonly string[]) => void): void;
  start(): Promise<void>;
  /** Tells the others this node is going, so they stop routing here before the heartbeat lapses. */
  leave(): Promise<void>;
}

/** One node alone: the view never changes. */
export class SingleNodeMembership extends EventEmitter implements Membership {
  /** Made once: every ask and tell asks for it. */
  private readonly view: readonly string[];

  constructor(readonly self: MemberInfo) {
    super();
    this.view = Object.freeze([self.nodeId]);
  }
  members(): readonly string[] {
    return this.view;
  }
  info(nodeId: string): MemberInfo | undefined {
    return nodeId === this.self.nodeId ? this.self : undefined;
  }
  async start(): Promise<void> {}
  async leave(): Promise<void> {}
}

interface Heartbeat extends MemberInfo {
  leaving?: boolean;
}

const SUBJECT = "cluster.heartbeat";

/**
 * Membership by heartbeats on the bus: each node publishes every `heartbeatMs`; a node not heard
 * from for `deadAfterMs` is dead. A heartbeat from a stranger is answered at once, so a new node
 * learns the cluster in one round trip rather than one period. No JetStream needed: the view is
 * soft state, and the store's fencing makes a briefly wrong view safe.
 */
export class BusMembership extends EventEmitter implements Membership {
  private readonly lastSeen = new Map<string, { info: MemberInfo; at: number }>();
  private view: string[];
  private sub: BusSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly self: MemberInfo,
    private readonly bus: Bus,
    private readonly heartbeatMs: number,
    private readonly deadAfterMs: number,
  ) {
    super();
    this.view = [self.nodeId];
  }

  members(): readonly string[] {
    return this.view;
  }

  info(nodeId: string): MemberInfo | undefined {
    return nodeId === this.self.nodeId ? this.self : this.lastSeen.get(nodeId)?.info;
  }

  async start(): Promise<void> {
    this.sub = this.bus.subscribe(SUBJECT, (data) => this.onHeartbeat(data));
    this.beat();
    await this.bus.flush();
    this.timer = setInterval(() => {
      this.beat();
      this.sweep();
    }, this.heartbeatMs);
    this.timer.unref();
  }

  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.bus.publish(SUBJECT, encode({ ...this.self, leaving: true } satisfies Heartbeat));
    this.sub?.unsubscribe();
    this.sub = undefined;
    await this.bus.flush().catch(() => undefined);
  }

  private beat(): void {
    this.bus.publish(SUBJECT, encode(this.self satisfies Heartbeat));
  }

  private onHeartbeat(data: Uint8Array): void {
    let hb: Heartbeat;
    try {
      hb = decode<Heartbeat>(data);
    } catch {
      return;
    }
    if (typeof hb?.nodeId !== "string" || hb.nodeId === this.self.nodeId) return;
    if (hb.leaving) {
      if (this.lastSeen.delete(hb.nodeId)) this.recompute();
      return;
    }
    const known = this.lastSeen.has(hb.nodeId);
    this.lastSeen.set(hb.nodeId, { info: { nodeId: hb.nodeId, address: hb.address, startedAt: hb.startedAt }, at: Date.now() });
    if (!known) {
      this.beat();
      this.recompute();
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - this.deadAfterMs;
    let changed = false;
    for (const [id, seen] of this.lastSeen) {
      if (seen.at < cutoff) {
        this.lastSeen.delete(id);
        changed = true;
      }
    }
    if (changed) this.recompute();
  }

  private recompute(): void {
    const next = [this.self.nodeId, ...this.lastSeen.keys()].sort();
    if (next.length === this.view.length && next.every((m, i) => m === this.view[i])) return;
    this.view = next;
    this.emit("change", next);
  }
}
