/**
 * The wire contract of the realtime link, shared by the gateway (server) and the client SDK so the
 * two cannot disagree. Plain constants and types only: the SDK runs in browsers, so nothing here
 * may import Node modules. PROTOCOL.md at the repository root describes the same contract in prose.
 */
import { KickReason } from "./user-events.ts";

export { KickReason };

/** The one Colyseus room a device joins. */
export const ROOM_NAME = "im";

/** NIM client types a device may log in as (NIM numbers in comments). */
export const CLIENT_TYPES = ["AOS", "IOS", "PC", "WEB", "MAC", "HARMONY"] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** What a device sends as the matchmake body (`joinOrCreate`/`join`/`create` on room `im`). */
export interface JoinOptions {
  appKey: string;
  accid: string;
  token: string;
  deviceId: string;
  clientType: ClientType;
  /** The app's SDK version, kept in the login event log (NIM's `sdkVersion`); at most 64 characters. */
  sdkVersion?: string;
  /** The app's tag for this login (NIM's `customTag`), kept in the login event log; at most 64 characters. */
  customTag?: string;
}

/** Frames the gateway pushes (Colyseus ROOM_DATA message types). Other types are user events. */
export const Frames = {
  /** First frame after every join and every resume: {@link Welcome}. */
  WELCOME: "welcome",
  /** The device is being disconnected and must not reconnect by itself: {@link Kicked}. */
  KICKED: "kicked",
} as const;

/** Requests the gateway itself answers (Colyseus request/response). */
export const Requests = {
  /** This connection's session: answers {@link SessionInfo}. */
  SESSION: "session",
} as const;

export interface SessionInfo {
  nodeId: string;
  sessionId: string;
  appKey: string;
  accid: string;
  deviceId: string;
  clientType: ClientType;
  /** ms since the epoch when this device logged in (unchanged by resumes). */
  loginTime: number;
  /** The address the login came from, as the server saw it. */
  ip: string;
  /** As the device gave them at login. */
  sdkVersion?: string;
  customTag?: string;
}

export interface Welcome extends SessionInfo {
  /** True when this join resumed a dropped session rather than logging in. */
  resumed: boolean;
  /** Pushes dropped while the session was away (the resume buffer overflowed); 0 means none. */
  lost: number;
  /** How long the server keeps a dropped session for a resume. */
  resumeWindowMs: number;
  /** Largest frame the server accepts; a larger one closes the socket with 1009. */
  maxFrameBytes: number;
  /** Frames per second a connection may send (sustained, and as a burst) before 416. */
  rate: { perSecond: number; burst: number };
  serverTime: number;
}

export interface Kicked {
  reason: KickReason;
  desc?: string;
  /** The app's payload (NIM `kickNotifyExt`). */
  ext?: string;
}

/** WebSocket close codes the gateway uses (1xxx are WebSocket's, 40xx Colyseus's, the rest ours). */
export const CloseCodes = {
  /** The device logged out (Colyseus CONSENTED). */
  LOGOUT: 4000,
  /** The node is shutting down: log in again, to any node. */
  SERVER_SHUTDOWN: 4001,
  /** Colyseus closed the socket over a frame it could not decode (WITH_ERROR). */
  PROTOCOL_ERROR: 4002,
  /** A resume was refused (FAILED_TO_RECONNECT): log in again. */
  RESUME_FAILED: 4003,
  /** Sent right after a `kicked` frame: do not reconnect. */
  KICKED: 4100,
  /** The device did not acknowledge JOIN_ROOM within the server's `joinTimeoutMs`; log in again. */
  JOIN_TIMEOUT: 4408,
  /** The device read too slowly: what the server had waiting for it passed `outgoingBufferBytes`. */
  SLOW_CONSUMER: 4415,
  /** The connection kept sending after 416 errors. */
  RATE_LIMITED: 4416,
  /** A frame exceeded `maxFrameBytes` (WebSocket "message too big"). */
  FRAME_TOO_LARGE: 1009,
} as const;

/** The body of a failed matchmake request (HTTP 4xx/5xx). `code` is a NIM status code. */
export interface MatchmakeErrorBody {
  code: number;
  error: string;
  /** Set when a resume names a session that was kicked while it was away. */
  kicked?: Kicked;
}

/**
 * Resume answers that mean "this session cannot be resumed; log in afresh": Colyseus's 522 (no
 * such room: the node restarted) and 524 (expired or ended), and 414 (a malformed token).
 */
export const RESUME_GONE_CODES: ReadonlySet<number> = new Set([414, 522, 524]);
