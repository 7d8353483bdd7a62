import type { SendAck } from "../protocol/messages.ts";
import { ClientCodes, NimbusClientError } from "./errors.ts";
import { MessagingRequests, type SendRequest } from "../protocol/messaging.ts";

/** What the outbox needs from the client. */
export interface OutboxLink {
  request<T>(type: string, body: unknown): Promise<T>;
  /** True while requests can go out now (not while reconnecting). */
  connected(): boolean;
}

interface PendingSend {
  body: SendRequest;
  inFlight: boolean;
  timeouts: number;
  resolve(ack: SendAck): void;
  reject(err: NimbusClientError): void;
}

/** A send that timed out is tried again this many times on a live link before the app hears 408. */
const MAX_TIMEOUTS = 3;
/** A retry on a link that still looks up waits this long, so a closing link cannot spin. */
const RETRY_MS = 100;

/**
 * Messages sent but not yet acknowledged. A send whose answer was lost — the link dropped, or the
 * request timed out — may or may not have been stored, so it is sent again, with the SAME
 * clientMsgId, once the link is back (resumed or logged in afresh): the server answers a known
 * clientMsgId with its first ack (`duplicate: true`), so a resend never makes a second message.
 * Sends waiting for the link go out in the order the app made them.
 *
 * Only "no answer" is retried. Any answer from the server — 414, 416, 422, … — settles the send:
 * the server has decided, and sending the same thing again would not change its mind.
 */
export class Outbox {
  private readonly pending = new Map<string, PendingSend>();

  constructor(private readonly link: OutboxLink) {}

  get size(): number {
    return this.pending.size;
  }

  submit(body: SendRequest): Promise<SendAck> {
    if (this.pending.has(body.clientMsgId)) {
      return Promise.reject(new NimbusClientError(414, `clientMsgId ${body.clientMsgId} is already being sent`));
    }
    return new Promise<SendAck>((resolve, reject) => {
      const p: PendingSend = { body, inFlight: false, timeouts: 0, resolve, reject };
      this.pending.set(body.clientMsgId, p);
      if (this.link.connected()) this.transmit(p);
    });
  }

  /** The link is back: send again, in order, everything still unanswered. */
  flush(): void {
    for (const p of this.pending.values()) if (!p.inFlight) this.transmit(p);
  }

  /** The client is closed for good: nothing will be sent any more. */
  fail(err: NimbusClientError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }

  private transmit(p: PendingSend): void {
    p.inFlight = true;
    this.link.request<SendAck>(MessagingRequests.SEND, p.body).then(
      (ack) => this.settle(p, () => p.resolve(ack)),
      (err: unknown) => {
        p.inFlight = false;
        if (this.pending.get(p.body.clientMsgId) !== p) return; // already failed by `fail`
        const e = err instanceof NimbusClientError ? err : new NimbusClientError(ClientCodes.NOT_CONNECTED, String(err));
        // The link went away before the answer: `flush` sends it again once it is back. Should the
        // client still count as connected (the close is being processed), try again shortly.
        const retry = e.code === ClientCodes.NOT_CONNECTED || (e.code === ClientCodes.TIMEOUT && ++p.timeouts < MAX_TIMEOUTS);
        if (!retry) return this.settle(p, () => p.reject(e));
        if (this.link.connected()) setTimeout(() => this.retry(p), RETRY_MS);
      },
    );
  }

  private retry(p: PendingSend): void {
    if (this.pending.get(p.body.clientMsgId) === p && !p.inFlight && this.link.connected()) this.transmit(p);
  }

  private settle(p: PendingSend, done: () => void): void {
    if (this.pending.get(p.body.clientMsgId) !== p) return;
    this.pending.delete(p.body.clientMsgId);
    done();
  }
}
