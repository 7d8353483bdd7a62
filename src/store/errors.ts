/** A conditional write lost: another activation of the same actor wrote first. */
export class VersionConflictError extends Error {
  override name = "VersionConflictError";
  constructor(
    readonly kind: string,
    readonly key: string,
    readonly expectedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(`snapshot ${kind}/${key} is no longer at version ${expectedVersion}`, options);
  }
}

/** A journal append lost the race for `(conversation, seq)`. */
export class SeqConflictError extends Error {
  override name = "SeqConflictError";
  constructor(
    readonly conversation: string,
    readonly seq: number,
    options?: { cause?: unknown },
  ) {
    super(`seq ${seq} of ${conversation} is already taken`, options);
  }
}

/** The store could not be reached or answered with something we did not expect. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isFencingError(err: unknown): err is VersionConflictError | SeqConflictError {
  return err instanceof VersionConflictError || err instanceof SeqConflictError;
}
