import { SeqConflictError, StoreUnavailableError, VersionConflictError } from "./errors.ts";

/**
 * An error as it crosses a thread boundary. Structured clone keeps only `name` and `message` of an
 * Error, and callers of the store tell errors apart by class (`isFencingError`), so the store's
 * own errors travel with their fields and are rebuilt as the same classes on the other side.
 */
export type WireError =
  | { name: "VersionConflictError"; kind: string; key: string; expectedVersion: number }
  | { name: "SeqConflictError"; conversation: string; seq: number }
  | { name: "StoreUnavailableError"; message: string }
  | { name: "RangeError"; message: string }
  | { name: "Error"; message: string; originalName: string };

export function toWireError(err: unknown): WireError {
  if (err instanceof VersionConflictError)
    return { name: "VersionConflictError", kind: err.kind, key: err.key, expectedVersion: err.expectedVersion };
  if (err instanceof SeqConflictError) return { name: "SeqConflictError", conversation: err.conversation, seq: err.seq };
  if (err instanceof StoreUnavailableError) return { name: "StoreUnavailableError", message: err.message };
  if (err instanceof RangeError) return { name: "RangeError", message: err.message };
  if (err instanceof Error) return { name: "Error", message: err.message, originalName: err.name };
  return { name: "Error", message: String(err), originalName: "Error" };
}

export function fromWireError(w: WireError): Error {
  switch (w.name) {
    case "VersionConflictError":
      return new VersionConflictError(w.kind, w.key, w.expectedVersion);
    case "SeqConflictError":
      return new SeqConflictError(w.conversation, w.seq);
    case "StoreUnavailableError":
      return new StoreUnavailableError(w.message);
    case "RangeError":
      return new RangeError(w.message);
    case "Error": {
      const err = new Error(w.message);
      err.name = w.originalName;
      return err;
    }
  }
}
