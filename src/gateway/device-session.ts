import type { Frames, SessionInfo, Welcome } from "../protocol/link.ts";
import type { ImClient } from "./im-room.ts";
import { FrameRateLimiter } from "./rate-limit.ts";

/**
 * - `online`: connected, pushes are written to its socket.
 * - `resuming`: its socket dropped; it keeps its place (and counts as online) for the resume
 *   window, and pushes are buffered for it.
 * - `gone`: logged out, kicked, replaced, or the window passed. Never comes back; a new login
 *   makes a new session.
 */
export type DeviceState = "online" | "resuming" | "gone";

/** A device as the rest of the node sees it (hooks, presence, `localDevices`). */
export interface LocalDevice extends SessionInfo {
  state: Exclude<DeviceState, "gone">;
}

type FrameName = (typeof Frames)[keyof typeof Frames];

/**
 * One logged-in device on this node: its Colyseus client while connected, its resume buffer while
 * dropped, and its per-connection rate limiter. The session outlives a dropped socket; Colyseus
 * hands the same `userData` (this object) to the client that resumes it.
 */
export class DeviceSession {
  state: DeviceState = "online";
  /** The live connection; undefined while resuming. */
  client: ImClient | undefined;
  /** Set when the gateway itself ends the session (kick, flood, shutdown): a drop then gets no resume. */
  closing = false;
  /** True once the device acknowledged its join (it has `welcome`) and the online hook ran. */
  announced = false;
  /** Whether the frame being dispatched right now was within the rate (set by the meter just before). */
  admitted = true;
  /** The token a resume must present (the dropped client's), and how to refuse the resume early. */
  resumeToken: string | undefined;
  refuseResume: (() => void) | undefined;
  readonly limiter: FrameRateLimiter;
  private buffer: Uint8Array[] = [];
  private lostWhileAway = 0;

  constructor(
    readonly info: SessionInfo,
    client: ImClient,
    rate: { perSecond: number; burst: number },
    private readonly bufferLimit: number,
  ) {
    this.client = client;
    this.limiter = new FrameRateLimiter(rate.perSecond, rate.burst);
  }

  get key(): string {
    return this.info.deviceId;
  }

  describe(): LocalDevice {
    if (this.state === "gone") throw new Error("a gone session is not a device");
    return { ...this.info, state: this.state };
  }

  /**
   * Writes an already-encoded frame: the same bytes go to every device, so a push is encoded once
   * per node. Before the join is acknowledged Colyseus queues it on the client, so nothing pushed
   * between the seat and the handshake is lost.
   */
  deliver(frame: Uint8Array): void {
    if (this.state === "online") this.client?.enqueueRaw(frame);
    else if (this.state === "resuming") {
      if (this.buffer.length < this.bufferLimit) this.buffer.push(frame);
      else this.lostWhileAway++;
    }
  }

  /** Sends one of the gateway's own frames to this device. */
  sendFrame(type: FrameName, body: object): void {
    this.client?.send(type, body);
  }

  dropped(resumeToken: string): void {
    this.state = "resuming";
    this.client = undefined;
    this.resumeToken = resumeToken;
  }

  /** Back online on `client`; returns what was buffered meanwhile and how many pushes were lost. */
  resumed(client: ImClient): { frames: Uint8Array[]; lost: number } {
    this.state = "online";
    this.client = client;
    this.resumeToken = undefined;
    this.refuseResume = undefined;
    const out = { frames: this.buffer, lost: this.lostWhileAway };
    this.buffer = [];
    this.lostWhileAway = 0;
    return out;
  }

  end(): void {
    this.state = "gone";
    this.buffer = [];
  }

  welcome(extra: Omit<Welcome, keyof SessionInfo | "serverTime">): Welcome {
    return { ...this.info, ...extra, serverTime: Date.now() };
  }
}
