/** Nobody subscribes to the subject: the request was certainly not handled, so a retry is safe. */
export class NoRespondersError extends Error {
  override name = "NoRespondersError";
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`no responders on ${subject}`, options);
  }
}

/** No reply in time: the request may or may not have been handled. */
export class BusTimeoutError extends Error {
  override name = "BusTimeoutError";
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`no reply on ${subject} within ${timeoutMs} ms`, options);
  }
}

/** The bus connection is closed or broken. */
export class BusClosedError extends Error {
  override name = "BusClosedError";
  constructor(message = "bus is closed", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A subject or subscription pattern that is not dot-separated non-empty tokens (see subject.ts). */
export class InvalidSubjectError extends Error {
  override name = "InvalidSubjectError";
  constructor(
    readonly subject: string,
    reason: string,
  ) {
    super(`invalid subject ${JSON.stringify(subject)}: ${reason}`);
  }
}
