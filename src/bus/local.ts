import { BusClosedError, BusTimeoutError, NoRespondersError } from "./errors.ts";
import { answerSafely, consoleBusLogger, deliverSafely, type BusLogger } from "./handlers.ts";
import { LocalHub, type HubSubscriber, type Reply } from "./local-hub.ts";
import type { Bus, BusSubscription, MessageHandler, RequestHandler, RequestOptions } from "./port.ts";
import { assertQueueName, assertSubject } from "./subject.ts";

export interface LocalBusOptions {
  /** The message space to join; a new one when absent. See also `peer()`. */
  hub?: LocalHub;
  logger?: BusLogger;
}

/**
 * The in-process bus of a single node. It behaves as NatsBus does, so actors cannot tell them
 * apart: asynchronous delivery in publish order, queue groups, request/reply with no-responders
 * and timeouts, drain on close. Payloads are passed by reference, never copied: as with NATS (which
 * holds the bytes until its next socket write), a publisher must not mutate them afterwards, and
 * handlers must treat them as read-only.
 */
export class LocalBus implements Bus {
  readonly kind = "local" as const;
  private readonly hub: LocalHub;
  private readonly logger: BusLogger;
  private state: "open" | "closing" | "closed" = "open";
  private closing: Promise<void> | undefined;
  /** This handle's subscriptions, removed on close. */
  private readonly subscriptions = new Set<() => void>();
  /** This handle's requests in flight, failed with BusClosedError on close. */
  private readonly requests = new Set<(err: Error) => void>();

  constructor(options: LocalBusOptions = {}) {
    this.logger = options.logger ?? consoleBusLogger;
    this.hub = options.hub ?? new LocalHub(this.logger);
  }

  /** Another handle on the same message space, like a second connection to one nats-server. */
  peer(): LocalBus {
    return new LocalBus({ hub: this.hub, logger: this.logger });
  }

  publish(subject: string, data: Uint8Array): void {
    this.ensureOpen();
    assertSubject(subject);
    this.hub.publish(subject, data, undefined);
  }

  subscribe(subject: string, handler: MessageHandler, options?: { queue?: string }): BusSubscription {
    return this.attach(subject, options?.queue, (data, subj) => deliverSafely(handler, data, subj, this.logger));
  }

  serve(subject: string, handler: RequestHandler, options?: { queue?: string }): BusSubscription {
    // A plain publish to a served subject still runs the handler, as on NATS; the answer is dropped.
    return this.attach(subject, options?.queue, (data, subj, reply) =>
      answerSafely(handler, data, subj, reply ?? ignoreReply, this.logger),
    );
  }

  async request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    this.ensureOpen();
    assertSubject(subject);
    const { timeoutMs } = options;
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new RangeError(`bad timeoutMs ${timeoutMs}`);
    return await new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        this.requests.delete(fail);
        return true;
      };
      const fail = (err: Error): void => {
        if (settle()) reject(err);
      };
      // Several servers without a queue group all get the request; the first answer wins.
      const reply: Reply = (bytes) => {
        if (settle()) resolve(bytes);
      };
      const timer = setTimeout(() => fail(new BusTimeoutError(subject, timeoutMs)), timeoutMs);
      this.requests.add(fail);
      if (this.hub.publish(subject, data, reply) === 0) fail(new NoRespondersError(subject));
    });
  }

  async flush(): Promise<void> {
    this.ensureOpen();
    await this.hub.flush();
  }

  /** Like NATS drain: deliveries already enqueued still run, then subscriptions and requests end. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.state = "closing";
    this.closing = (async () => {
      await this.hub.flush();
      for (const unsubscribe of [...this.subscriptions]) unsubscribe();
      for (const fail of [...this.requests]) fail(new BusClosedError());
      this.state = "closed";
    })();
    return this.closing;
  }

  private attach(pattern: string, queue: string | undefined, receive: HubSubscriber["receive"]): BusSubscription {
    this.ensureOpen();
    if (queue !== undefined) assertQueueName(queue);
    const remove = this.hub.add(pattern, { queue, active: true, receive });
    const unsubscribe = (): void => {
      if (!this.subscriptions.delete(unsubscribe)) return; // already gone
      remove();
    };
    this.subscriptions.add(unsubscribe);
    return { unsubscribe };
  }

  private ensureOpen(): void {
    if (this.state !== "open") throw new BusClosedError();
  }
}

function ignoreReply(): void {}
