import { Codes, type CodeName } from "./codes.ts";

/**
 * The error every layer throws when it has a NIM status to report. The HTTP layer and the
 * gateway turn it into `{code, desc}`; anything else that escapes a handler becomes 500.
 */
export class NimbusError extends Error {
  override name = "NimbusError";
  readonly code: number;

  constructor(codeName: CodeName, desc?: string, options?: { cause?: unknown }) {
    super(desc ?? Codes[codeName].desc, options);
    this.code = Codes[codeName].code;
  }

  /** Rebuilds an error that crossed a process boundary as `{code, desc}`. */
  static fromWire(code: number, desc: string): NimbusError {
    const err = new NimbusError("INTERNAL", desc);
    (err as { code: number }).code = code;
    return err;
  }
}

export function isNimbusError(err: unknown): err is NimbusError {
  return err instanceof NimbusError;
}

/** `{code, desc}` for any thrown value; unknown errors are internal and say nothing private. */
export function toStatus(err: unknown): { code: number; desc: string } {
  if (err instanceof NimbusError) return { code: err.code, desc: err.message };
  return { code: Codes.INTERNAL.code, desc: Codes.INTERNAL.desc };
}

/** A 414 naming the parameter the caller sent and what is wrong with it: `field: problem`. */
export function refuse(field: string, problem: string): never {
  throw new NimbusError("PARAM_ERROR", `${field}: ${problem}`);
}
