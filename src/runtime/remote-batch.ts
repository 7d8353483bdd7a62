import { randomBytes } from "node:crypto";
import type { Bus } from "../bus/port.ts";
import { BusTimeoutError, NoRespondersError } from "../bus/errors.ts";
import { NimbusError } from "../protocol/errors.ts";
import { decode, encode } from "../protocol/codec.ts";
import type { Envelope } from "./activation.ts";
import { decodeRemoteReply, encodeRemoteReply, encodeRemoteRequest, type RemoteReply } from "./remote.ts";

/*
 * Cross-node asks and tells, batched per destination node per event-loop turn.
 *
 * A turn's messages for one node travel as ONE bus request; the owner answers it as soon as it
 * has routed them (an acknowledgement: a node that is gone answers nothing, NoResponders, and
 * the batch is routed again, as a single request was). The answers to asks come back on the
 * caller's own subject, likewise batched per caller per turn, each as soon as its ask is
 * answered: one slow actor never holds up the answers of the others in its batch. Tells want no
 * answer. A node sending N asks to another in one turn thus puts 3 messages on NATS instead of
 * 2N, and N tells 2 instead of 2N. A turn with a single ask for a node sends it as a plain
 * request whose reply is the answer (2 messages, not 3): at low load most turns are like that.
 *
 * An answer that never comes (the owner died after acknowledging) is the ask's deadline's to
 * settle, as a lost reply was before.
 */

/** One batched message: address, message, hops so far, ms left, and the ask's id (0: a tell). */
type WireItem = [a: string, m: unknown, h: number, t: number, i: number];

interface WireBatch {
  /** The caller's node id and incarnation: where, and to whom, answers go. */
  n: string;
  c: string;
  b: WireItem[];
}

interface WireAnswers {
  c: string;
  /** [ask id, encoded RemoteReply] */
  r: [number, Uint8Array][];
}

export function isBatch(w: unknown): w is WireBatch {
  return typeof w === "object" && w !== null && Array.isArray((w as WireBatch).b) && typeof (w as WireBatch).n === "string";
}

/** An envelope that wants no answer (a tell, or a tell forwarded by another node). */
export interface OneWay {
  readonly oneWay?: boolean;
}

interface Outgoing {
  address: string;
  env: Envelope & OneWay;
  hops: number;
  timeoutMs: number;
}

const REROUTE_DELAY_MS = 100;
/** Past its deadline, a waiting ask is dropped after this grace (its own deadline rejected it already). */
const FORGET_AFTER_MS = 1000;

export interface RemoteBatchesOptions {
  bus: Bus;
  selfNodeId: string;
  subjectFor(nodeId: string): string;
  answersSubjectFor(nodeId: string): string;
  /** Sends an envelope again through placement (the owner changed, or was not listening yet). */
  reroute(address: string, env: Envelope): void;
  /** Hands a received message to placement, as a single remote request is. */
  route(address: string, env: Envelope, hops: number): void;
}

export class RemoteBatches {
  private readonly incarnation = randomBytes(6).toString("hex");
  private pending = new Map<string, Outgoing[]>();
  private answers = new Map<string, { incarnation: string; replies: [number, Uint8Array][] }>();
  private flushScheduled = false;
  private readonly waiting = new Map<number, Envelope>();
  private nextId = 1;

  constructor(private readonly o: RemoteBatchesOptions) {}

  /** Queues `env` for `owner`; sent with the rest of this turn's messages for that node. */
  send(owner: string, address: string, env: Envelope & OneWay, hops: number, timeoutMs: number): void {
    let list = this.pending.get(owner);
    if (!list) this.pending.set(owner, (list = []));
    list.push({ address, env, hops, timeoutMs });
    this.schedule();
  }

  /** The answers that came back on this node's subject. */
  receiveAnswers(data: Uint8Array): void {
    const w = decode<WireAnswers>(data);
    if (w.c !== this.incarnation || !Array.isArray(w.r)) return; // for an earlier run of this node
    for (const [id, reply] of w.r) {
      const env = this.waiting.get(id);
      if (!env) continue;
      this.waiting.delete(id);
      const r = decodeRemoteReply(reply);
      if (r.ok) env.resolve(r.value);
      else env.reject(NimbusError.fromWire(r.code, r.desc));
    }
  }

  /** Routes every message of a received batch; answers (the acknowledgement) once they are routed. */
  serveBatch(w: WireBatch): Uint8Array {
    for (const item of w.b) {
      if (!Array.isArray(item) || typeof item[0] !== "string" || typeof item[2] !== "number" || typeof item[3] !== "number") continue;
      const [address, message, hops, timeoutMs, id] = item;
      const answer = (r: RemoteReply) => this.answer(w.n, w.c, id, r);
      const env: Envelope & OneWay =
        id === 0
          ? { message, deadline: Date.now() + timeoutMs, attempts: 0, oneWay: true, resolve: () => {}, reject: () => {} }
          : {
              message,
              deadline: Date.now() + timeoutMs,
              attempts: 0,
              resolve: (value) => answer({ ok: true, value }),
              reject: (err) => {
                const e = err instanceof NimbusError ? err : new NimbusError("INTERNAL");
                answer({ ok: false, code: e.code, desc: e.message });
              },
            };
      this.o.route(address, env, hops);
    }
    return encodeRemoteReply({ ok: true, value: null });
  }

  private answer(node: string, incarnation: string, id: number, r: RemoteReply): void {
    let a = this.answers.get(node);
    // A caller that restarted meanwhile: the older incarnation's answers have nobody to go to.
    if (!a || a.incarnation !== incarnation) this.answers.set(node, (a = { incarnation, replies: [] }));
    a.replies.push([id, encodeRemoteReply(r)]);
    this.schedule();
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.pending;
    const answers = this.answers;
    this.pending = new Map();
    this.answers = new Map();
    for (const [node, a] of answers) {
      try {
        this.o.bus.publish(this.o.answersSubjectFor(node), encode({ c: a.incarnation, r: a.replies } satisfies WireAnswers));
      } catch {
        // Bus closed: the askers' deadlines settle them.
      }
    }
    for (const [owner, items] of pending) {
      if (items.length === 1 && !items[0]!.env.oneWay) this.sendOne(owner, items[0]!);
      else this.sendBatch(owner, items);
    }
  }

  /** One ask alone: a plain request, answered by its reply. */
  private sendOne(owner: string, it: Outgoing): void {
    const left = it.env.deadline - Date.now();
    if (left <= 0) {
      it.env.reject(new NimbusError("TIMEOUT", `no answer from ${it.address} in time`));
      return;
    }
    const data = encodeRemoteRequest({ address: it.address, message: it.env.message, hops: it.hops, timeoutMs: left });
    this.request(owner, data, left).then(
      (reply) => {
        const r = decodeRemoteReply(reply);
        if (r.ok) it.env.resolve(r.value);
        else it.env.reject(NimbusError.fromWire(r.code, r.desc));
      },
      (err: unknown) => this.failed(it, err),
    );
  }

  private request(owner: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    try {
      return this.o.bus.request(this.o.subjectFor(owner), data, { timeoutMs });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The request for `it` failed as a whole: route it again if nobody got it, else fail it. */
  private failed(it: Outgoing, err: unknown): void {
    if (err instanceof NoRespondersError) {
      // The owner is gone (or not yet listening): nothing was handled, so trying again is safe.
      setTimeout(() => this.o.reroute(it.address, it.env), REROUTE_DELAY_MS).unref();
    } else if (err instanceof BusTimeoutError) {
      it.env.reject(new NimbusError("TIMEOUT", `no answer from ${it.address} within ${it.timeoutMs} ms`, { cause: err }));
    } else {
      it.env.reject(new NimbusError("UNAVAILABLE", "cluster bus unavailable", { cause: err }));
    }
  }

  private sendBatch(owner: string, items: Outgoing[]): void {
    const now = Date.now();
    const ids: number[] = [];
    const wire: WireItem[] = [];
    let timeoutMs = 1;
    for (const it of items) {
      const left = it.env.deadline - now;
      if (left <= 0) {
        it.env.reject(new NimbusError("TIMEOUT", `no answer from ${it.address} in time`));
        ids.push(-1);
        continue;
      }
      const id = it.env.oneWay ? 0 : this.nextId++;
      if (id !== 0) this.waiting.set(id, it.env);
      ids.push(id);
      wire.push([it.address, it.env.message, it.hops, left, id]);
      timeoutMs = Math.max(timeoutMs, left);
    }
    if (wire.length === 0) return;
    const forget = () => {
      for (const id of ids) if (id > 0) this.waiting.delete(id);
    };
    const data = encode({ n: this.o.selfNodeId, c: this.incarnation, b: wire } satisfies WireBatch);
    this.request(owner, data, timeoutMs).then(
      () => {
        for (const it of items) if (it.env.oneWay) it.env.resolve(undefined);
        // The answers come on our subject; an ask whose answer is lost is settled by its deadline.
        setTimeout(forget, timeoutMs + FORGET_AFTER_MS).unref();
      },
      (err: unknown) => {
        forget();
        items.forEach((it, k) => {
          if (ids[k] !== -1) this.failed(it, err);
        });
      },
    );
  }
}
