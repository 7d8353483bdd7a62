import { ClientState, type Client, type ISendOptions } from "@colyseus/core";
import type { WebSocket } from "ws";

/**
 * Bounds the bytes one connection may have waiting to be sent. Node buffers whatever a socket
 * cannot write yet, so a device that stops reading (or never acknowledges its join, while Colyseus
 * queues its frames) would make every push to it grow the node's memory without end.
 *
 * Every frame Colyseus or the gateway sends to a client goes through two of its methods: `enqueueRaw`
 * (queued until the join is acknowledged, then written) and `raw` (written now). Colyseus has no
 * hook on either, so `watch` wraps both on the client instance. A frame that would take the
 * waiting bytes (the socket's `bufferedAmount` plus the queue before the join) past `budget` is not
 * sent, and `onOver` is called once: the caller ends the session and closes the socket. Nothing is
 * written to that client after that.
 */
/** What the budget wraps: any Colyseus client (a device in the `im` room, a chat room member). */
type WatchedClient = Pick<Client, "enqueueRaw" | "raw" | "state" | "ref">;

export class OutgoingBudget {
  /** Bytes queued by Colyseus before the join was acknowledged; written (and counted by ws) after it. */
  private queuedBeforeJoin = 0;
  private over = false;

  private constructor(
    private readonly client: WatchedClient,
    private readonly budget: number,
    private readonly onOver: (waiting: number) => void,
  ) {}

  static watch(client: WatchedClient, budget: number, onOver: (waiting: number) => void): OutgoingBudget {
    const guard = new OutgoingBudget(client, budget, onOver);
    const enqueueRaw = client.enqueueRaw.bind(client);
    const raw = client.raw.bind(client);
    client.enqueueRaw = (data: Uint8Array | Buffer, options?: ISendOptions) => {
      if (client.state === ClientState.JOINED) return enqueueRaw(data, options);
      if (!guard.admit(data.byteLength)) return;
      guard.queuedBeforeJoin += data.byteLength;
      enqueueRaw(data, options);
    };
    client.raw = (data: Uint8Array | Buffer, options?: ISendOptions, cb?: (err?: Error) => void) => {
      // Once joined, the queue is being written out through here and ws counts those bytes.
      if (client.state === ClientState.JOINED) guard.queuedBeforeJoin = 0;
      if (guard.admit(data.byteLength)) raw(data, options, cb);
      else cb?.(new Error("outgoing budget exceeded"));
    };
    return guard;
  }

  /** Bytes waiting to be sent to this client now. The ws transport's clients wrap a ws WebSocket. */
  get waiting(): number {
    return (this.client.ref as unknown as WebSocket).bufferedAmount + this.queuedBeforeJoin;
  }

  /** A frame is sent if it fits; one larger than the whole budget only when nothing else waits. */
  private admit(bytes: number): boolean {
    if (this.over) return false;
    const waiting = this.waiting;
    if (waiting === 0 || waiting + bytes <= this.budget) return true;
    this.over = true;
    this.onOver(waiting);
    return false;
  }
}
