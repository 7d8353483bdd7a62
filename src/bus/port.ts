/**
 * The Bus port: subjects for realtime delivery (publish/subscribe) and request/reply for reaching
 * an actor on another node. NATS in a cluster, an in-process emitter on one node; both use the
 * same subject names and pass one contract suite (test/contract/bus.contract.ts).
 *
 * Subjects are dot-separated tokens; a subscription may use `*` (one token) and a trailing `>`
 * (one or more tokens), as NATS does.
 */

export type BusKind = "local" | "nats";

export interface BusSubscription {
  unsubscribe(): void;
}

export type MessageHandler = (data: Uint8Array, subject: string) => void;
export type RequestHandler = (data: Uint8Array, subject: string) => Promise<Uint8Array> | Uint8Array;

export interface RequestOptions {
  timeoutMs: number;
}

export interface Bus {
  readonly kind: BusKind;
  /**
   * Delivers asynchronously, never inside this call. The bus may keep `data` until it is sent or
   * delivered, so the caller must not mutate it afterwards; handlers get it read-only.
   */
  publish(subject: string, data: Uint8Array): void;
  /**
   * With `queue`, each message goes to one subscriber of the group rather than to all. The
   * subscription is in effect on the server (for other buses' publishes) once `flush()` resolves.
   */
  subscribe(subject: string, handler: MessageHandler, options?: { queue?: string }): BusSubscription;
  /**
   * Sends one request and waits for the first reply. Rejects with `NoRespondersError` when nobody
   * listens on the subject (the request was certainly not handled) and with `BusTimeoutError`
   * when nobody answered in time (it may or may not have been handled).
   */
  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array>;
  /** Answers requests on a subject. A handler that throws answers nothing; callers time out. */
  serve(subject: string, handler: RequestHandler, options?: { queue?: string }): BusSubscription;
  /** Resolves when everything published so far has reached the server (NATS) or the handlers (local). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
