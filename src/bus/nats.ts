import { connect, createInbox, ErrorCode, NatsError, type Msg, type NatsConnection, type Subscription } from "nats";
import { BusClosedError, BusTimeoutError, NoRespondersError } from "./errors.ts";
import { answerSafely, consoleBusLogger, deliverSafely, type BusLogger } from "./handlers.ts";
import type { Bus, BusSubscription, MessageHandler, RequestHandler, RequestOptions } from "./port.ts";
import { assertPattern, assertQueueName, assertSubject } from "./subject.ts";

export interface NatsBusOptions {
  /** One server URL or several of one cluster. */
  url: string | string[];
  /** Connection name shown by the server's monitoring: the node id. */
  name: string;
  /**
   * Prepended (with a dot) to every subject on the wire, and stripped again before handlers see
   * it: separate clusters, or tests, can share one nats-server without hearing each other.
   */
  prefix?: string;
  logger?: BusLogger;
  /** Pause between reconnect attempts; attempts never stop. */
  reconnectTimeWaitMs?: number;
}

/** Connects to NATS; rejects with BusClosedError (cause: the NATS error) when no server answers. */
export async function connectNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  const prefix = options.prefix ?? "";
  if (prefix !== "") assertSubject(prefix);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url,
      name: options.name,
      // A node outlives NATS restarts: it keeps retrying and buffers publishes meanwhile.
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 500,
      // Notice a dead server in ~30 s rather than the default 4 minutes.
      pingInterval: 10_000,
      maxPingOut: 3,
      // Async traces capture a stack per request: too costly for the ask() hot path.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new BusClosedError(`cannot connect to NATS at ${String(options.url)}`, { cause: err });
  }
  return new NatsBus(nc, prefix, options.logger ?? consoleBusLogger);
}

function isNatsCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof NatsError && codes.includes(err.code);
}

function isClosedError(err: unknown): boolean {
  return isNatsCode(err, ErrorCode.ConnectionClosed, ErrorCode.ConnectionDraining);
}

/** NATS's "no responders" status: an empty message with status 503, sent to the reply subject. */
function isNoResponders(msg: Msg): boolean {
  return msg.data.length === 0 && msg.headers?.code === 503;
}

/** A request waiting for its reply on the bus's reply subscription. */
interface PendingRequest {
  subject: string;
  resolve: (data: Uint8Array) => void;
  reject: (err: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The Bus over one NATS connection. Subscriptions use callbacks rather than async iterators:
 * a message reaches its handler straight from the protocol parser, with no promise hop per message.
 */
export class NatsBus implements Bus {
  readonly kind = "nats" as const;
  private readonly pre: string;
  private closing: Promise<void> | undefined;
  /**
   * Sends (publishes, requests, replies) held until the end of this event-loop turn, then handed
   * to the client all at once, in order: the client writes what it is given in one microtask as
   * one socket write, so a turn's worth of asks, pushes and answers to every node costs one
   * syscall instead of one per callback that sent something (measured: a sixth of a node's main
   * thread went to those writes in p2p-cluster). Adds at most one loop turn of latency.
   */
  private outbound: (() => void)[] = [];
  private flushScheduled = false;
  /**
   * Requests are matched to replies here rather than by nats.js's `request`: its request object
   * builds a NatsError, stack trace included, each time a request completes — successful ones too
   * (3–5% of a node's main thread in p2p-cluster). One wildcard subscription on this bus's own
   * inbox takes every reply; the last token of the reply subject names the request.
   */
  private readonly inbox = createInbox();
  private readonly pending = new Map<string, PendingRequest>();
  private nextRequest = 0;
  private replies: Subscription | undefined;

  /** Use connectNatsBus(). */
  constructor(
    private readonly nc: NatsConnection,
    prefix: string,
    private readonly logger: BusLogger,
  ) {
    this.pre = prefix === "" ? "" : `${prefix}.`;
    void this.watchStatus();
  }

  publish(subject: string, data: Uint8Array): void {
    this.ensureOpen();
    assertSubject(subject);
    const wire = this.pre + subject;
    this.send(() => {
      try {
        this.nc.publish(wire, data);
      } catch (err) {
        this.logger.error({ err: this.mapError(err, subject), subject }, "NATS publish failed");
      }
    });
  }

  private respond(msg: Msg, reply: Uint8Array): void {
    try {
      msg.respond(reply);
    } catch (err) {
      // Closed meanwhile: the asker times out, as with any lost answer.
      this.logger.error({ err: this.mapError(err, msg.subject) }, "NATS reply failed");
    }
  }

  /** Queues a send for the end of this turn (see `outbound`). */
  private send(op: () => void): void {
    this.outbound.push(op);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.sendQueued());
  }

  private sendQueued(): void {
    this.flushScheduled = false;
    const ops = this.outbound;
    this.outbound = [];
    for (const op of ops) op();
  }

  subscribe(subject: string, handler: MessageHandler, options?: { queue?: string }): BusSubscription {
    return this.attach(subject, options?.queue, (msg, subj) => deliverSafely(handler, msg.data, subj, this.logger));
  }

  serve(subject: string, handler: RequestHandler, options?: { queue?: string }): BusSubscription {
    return this.attach(subject, options?.queue, (msg, subj) =>
      answerSafely(handler, msg.data, subj, (reply) => this.send(() => this.respond(msg, reply)), this.logger),
    );
  }

  async request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    this.ensureOpen();
    assertSubject(subject);
    const { timeoutMs } = options;
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new RangeError(`bad timeoutMs ${timeoutMs}`);
    const wire = this.pre + subject;
    this.replies ??= this.nc.subscribe(`${this.inbox}.*`, { callback: (err, msg) => this.onReply(err, msg) });
    const token = (this.nextRequest++).toString(36);
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(token)?.reject(new BusTimeoutError(subject, timeoutMs, { cause: NatsError.errorForCode(ErrorCode.Timeout) })),
        timeoutMs,
      );
      this.pending.set(token, { subject, resolve, reject, timer });
      this.send(() => {
        try {
          this.nc.publish(wire, data, { reply: `${this.inbox}.${token}` });
        } catch (err) {
          this.settle(token)?.reject(this.mapError(err, subject, timeoutMs));
        }
      });
    });
  }

  /** Takes a request out of `pending`, its timer stopped; undefined when it was already settled. */
  private settle(token: string): PendingRequest | undefined {
    const p = this.pending.get(token);
    if (p === undefined) return undefined;
    this.pending.delete(token);
    clearTimeout(p.timer);
    return p;
  }

  private onReply(err: unknown, msg: Msg): void {
    if (err) {
      this.logger.error({ err }, "NATS reply subscription error");
      return;
    }
    // A reply that comes after its request timed out finds nothing: dropped, as nats.js does.
    const p = this.settle(msg.subject.slice(this.inbox.length + 1));
    if (p === undefined) return;
    // The NATS error as the cause, as nats.js would have rejected with it (built only on failure).
    if (isNoResponders(msg)) p.reject(new NoRespondersError(p.subject, { cause: NatsError.errorForCode(ErrorCode.NoResponders) }));
    else p.resolve(msg.data);
  }

  async flush(): Promise<void> {
    this.ensureOpen();
    this.sendQueued();
    try {
      await this.nc.flush();
    } catch (err) {
      throw this.mapError(err, "");
    }
  }

  /** Drains: messages already received still reach their handlers, then the connection closes. */
  close(): Promise<void> {
    if (this.closing === undefined) this.sendQueued();
    this.closing ??= this.nc
      .drain()
      .catch((err: unknown) => {
        if (!isClosedError(err)) this.logger.error({ err }, "NATS drain failed");
      })
      .finally(() => {
        // Replies can no longer arrive: what still waits fails now rather than at its deadline.
        for (const token of [...this.pending.keys()]) this.settle(token)?.reject(new BusClosedError());
      });
    return this.closing;
  }

  private attach(pattern: string, queue: string | undefined, receive: (msg: Msg, subject: string) => void): BusSubscription {
    this.ensureOpen();
    assertPattern(pattern);
    if (queue !== undefined) assertQueueName(queue);
    const cut = this.pre.length;
    let sub: Subscription;
    try {
      sub = this.nc.subscribe(this.pre + pattern, {
        ...(queue !== undefined ? { queue } : {}),
        callback: (err, msg) => {
          // Errors here are the server's (e.g. a permissions violation), not the handler's.
          if (err) this.logger.error({ err, subject: pattern }, "subscription error");
          else receive(msg, cut === 0 ? msg.subject : msg.subject.slice(cut));
        },
      });
    } catch (err) {
      throw this.mapError(err, pattern);
    }
    return {
      unsubscribe: () => {
        try {
          sub.unsubscribe();
        } catch {
          // Already closed with its connection: nothing left to stop.
        }
      },
    };
  }

  private mapError(err: unknown, subject: string, timeoutMs = 0): unknown {
    if (isNatsCode(err, ErrorCode.NoResponders)) return new NoRespondersError(subject, { cause: err });
    if (isNatsCode(err, ErrorCode.Timeout)) return new BusTimeoutError(subject, timeoutMs, { cause: err });
    if (isClosedError(err)) return new BusClosedError(undefined, { cause: err });
    return err;
  }

  private ensureOpen(): void {
    if (this.closing !== undefined || this.nc.isClosed() || this.nc.isDraining()) throw new BusClosedError();
  }

  /** Connection trouble is worth a line in the log; the client reconnects on its own. */
  private async watchStatus(): Promise<void> {
    try {
      for await (const s of this.nc.status()) {
        if (s.type === "disconnect" || s.type === "reconnect" || s.type === "ldm" || s.type === "error") {
          (this.logger.warn ?? this.logger.error).call(this.logger, { type: s.type, data: s.data }, `NATS ${s.type}`);
        }
      }
    } catch (err) {
      this.logger.error({ err }, "NATS status watch failed");
    }
  }
}
