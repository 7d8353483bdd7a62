import type { MessageHandler, RequestHandler } from "./port.ts";

/**
 * How both buses call user handlers. A handler runs inside the transport's dispatch (the NATS
 * parser, the local delivery loop): an exception escaping it would stop delivery of everything
 * behind it or crash the node, so every error is caught here and logged, never rethrown.
 */

/** Pino-shaped, so a node's pino logger can be passed as is. */
export interface BusLogger {
  error(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
}

export const consoleBusLogger: BusLogger = {
  error: (obj, msg) => console.error(`[bus] ${msg}`, obj),
  warn: (obj, msg) => console.warn(`[bus] ${msg}`, obj),
};

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/**
 * Calls a subscription handler. The port types it as returning void, but an async function is
 * assignable to that, so a returned promise's rejection is caught too.
 */
export function deliverSafely(handler: MessageHandler, data: Uint8Array, subject: string, logger: BusLogger): void {
  try {
    const r: unknown = handler(data, subject);
    if (isThenable(r)) r.then(undefined, (err: unknown) => logger.error({ err, subject }, "subscription handler failed"));
  } catch (err) {
    logger.error({ err, subject }, "subscription handler failed");
  }
}

/**
 * Calls a request handler and passes its answer to `respond`. A handler that throws, rejects or
 * answers something other than bytes answers nothing: the caller times out, as the port says.
 */
export function answerSafely(
  handler: RequestHandler,
  data: Uint8Array,
  subject: string,
  respond: (reply: Uint8Array) => void,
  logger: BusLogger,
): void {
  const send = (reply: unknown): void => {
    if (!(reply instanceof Uint8Array)) {
      logger.error({ subject, got: typeof reply }, "request handler answered something other than a Uint8Array");
      return;
    }
    try {
      respond(reply);
    } catch (err) {
      // e.g. the connection closed while the handler ran: the caller sees a timeout or a closed bus.
      logger.error({ err, subject }, "could not send a reply");
    }
  };
  const fail = (err: unknown): void => logger.error({ err, subject }, "request handler failed");
  let result: unknown;
  try {
    result = handler(data, subject);
  } catch (err) {
    fail(err);
    return;
  }
  // A synchronous answer goes out without a promise hop.
  if (isThenable(result)) result.then(send, fail);
  else send(result);
}
