import type { Kicked } from "../protocol/link.ts";

/**
 * Every failure the SDK reports: `code` is a NIM status code (302 wrong token, 404 no account,
 * 422 blocked, 416 rate limited, 415 not connected, 408 timed out, …), or a Colyseus matchmake
 * code (52x) where the server answered with one.
 */
export class NimbusClientError extends Error {
  override name = "NimbusClientError";

  constructor(
    readonly code: number,
    message: string,
    /** Set when the failure is that this session was kicked. */
    readonly kicked?: Kicked,
  ) {
    super(message);
  }
}

/** Codes a login answers that no retry will change: stop reconnecting on these. */
export const FINAL_LOGIN_CODES: ReadonlySet<number> = new Set([302, 403, 404, 414, 422]);

/** Codes the SDK uses for its own conditions. */
export const ClientCodes = {
  /** Not connected right now, or the connection went away mid-request. */
  NOT_CONNECTED: 415,
  /** No answer within the timeout. */
  TIMEOUT: 408,
  /** The frame would exceed the server's `maxFrameBytes`. */
  TOO_LARGE: 405,
  /** The server has no handler for this request type. */
  UNKNOWN_TYPE: 509,
} as const;
