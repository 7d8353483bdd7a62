import { StoreUnavailableError } from "./errors.ts";

/**
 * Runs one store operation and turns the driver's own failures (connection lost, disk full, busy,
 * an unexpected server answer) into `StoreUnavailableError`, so callers above the port can tell
 * "the store is unwell, retry later" from fencing errors and from their own bugs, which pass through.
 */
export async function guard<T>(what: string, isDriverError: (err: unknown) => boolean, op: () => T | Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw unavailable(what, isDriverError, err);
  }
}

/** The error to throw for `err`: wrapped when it came from the driver, unchanged otherwise. */
export function unavailable(what: string, isDriverError: (err: unknown) => boolean, err: unknown): unknown {
  if (!isDriverError(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new StoreUnavailableError(`${what}: ${detail}`, { cause: err });
}
