/** Tunables of the realtime gateway; every field has a default, so a node may pass none. */
export interface GatewayOptions {
  /**
   * Largest WebSocket frame a device may send (ws `maxPayload`); a larger one closes that socket
   * with 1009. Colyseus's 4 KB default would refuse a long chat message: 64 KiB holds a 5,000
   * character message of 3-byte UTF-8 characters several times over.
   */
  maxFrameBytes: number;
  /** A dropped device may resume its session without logging in again for this long. */
  resumeWindowMs: number;
  /** Pushes kept for a dropped device during its resume window; beyond that they are counted as lost. */
  resumeBufferFrames: number;
  /** Frames per second one connection may send, sustained and as a burst, before it gets 416. */
  ratePerSecond: number;
  rateBurst: number;
  /** After this many refused frames in a row the connection is closed (4416): it ignores the 416s. */
  rateCloseAfterRefused: number;
  /** WebSocket ping period; a socket that misses two pongs is terminated (then it may resume). */
  pingIntervalMs: number;
  /** A seat reserved by a login must be taken by the WebSocket within this time. */
  seatReservationSeconds: number;
  /**
   * A socket that has not acknowledged JOIN_ROOM this long after it opened is closed (4408). Until
   * it acknowledges, the device is not online: not in presence, not in the device registry.
   */
  joinTimeoutMs: number;
  /**
   * Bytes a connection may have waiting to be sent (the socket's unsent buffer, plus what is queued
   * for it before its join is acknowledged). A device that reads slower than its pushes arrive is
   * closed (4415) when the next frame would pass this, so a reader that stops costs at most this much.
   */
  outgoingBufferBytes: number;
  /**
   * Failed logins (wrong token) of one account, counted cluster-wide in its user actor, within
   * `loginFailureWindowMs`, after which every login of the account is refused with 416 for
   * `loginLockoutMs`, the right token too.
   */
  loginFailuresPerAccount: number;
  /** Failed logins (wrong token, no such account) from one source address on this node, likewise. */
  loginFailuresPerAddress: number;
  loginFailureWindowMs: number;
  loginLockoutMs: number;
}

export const defaultGatewayOptions: GatewayOptions = {
  maxFrameBytes: 64 * 1024,
  resumeWindowMs: 20_000,
  resumeBufferFrames: 256,
  ratePerSecond: 50,
  rateBurst: 100,
  rateCloseAfterRefused: 200,
  pingIntervalMs: 5_000,
  seatReservationSeconds: 15,
  joinTimeoutMs: 10_000,
  outgoingBufferBytes: 4 * 1024 * 1024,
  loginFailuresPerAccount: 10,
  loginFailuresPerAddress: 50,
  loginFailureWindowMs: 60_000,
  loginLockoutMs: 300_000,
};

export function resolveGatewayOptions(partial: Partial<GatewayOptions> = {}): GatewayOptions {
  const o = { ...defaultGatewayOptions, ...partial };
  for (const [k, v] of Object.entries(o)) {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new RangeError(`gateway option ${k} must be a positive number`);
  }
  return o;
}
