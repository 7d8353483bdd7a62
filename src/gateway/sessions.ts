import { ClientState } from "@colyseus/core";
import { Codes } from "../protocol/codes.ts";
import type { Logger } from "pino";
import { CloseCodes, Frames, type Kicked } from "../protocol/link.ts";
import {
  asKick,
  decodeUserEventEnvelope,
  KickReason,
  RESERVED_EVENT_NAMES,
  type EncodedUserEvent,
  type KickEvent,
  userEventOf,
} from "../protocol/user-events.ts";
import { BROADCAST_EVENT, broadcastReaches } from "../protocol/broadcasts.ts";
import { DeviceSession } from "./device-session.ts";
import { DeviceTable, type LocalUser } from "./device-table.ts";
import { pushFrame, pushFrameOf } from "./frames.ts";
import type { DeviceLifecycle, OfflineReason } from "./device-lifecycle.ts";
import type { ImClient, ImRoom, ImRoomDelegate } from "./im-room.ts";
import { KickedTokens } from "./kicked-tokens.ts";
import type { LoginGrant } from "./login-grant.ts";
import type { SubjectTable } from "./subject-table.ts";
import type { GroupSubscriptions } from "./group-subscriptions.ts";
import { SUPER_TEAM_MEMBERSHIP_EVENT } from "../protocol/superteam.ts";
import { TEAM_MEMBERSHIP_EVENT } from "../protocol/team.ts";
import type { GatewayOptions } from "../config/gateway-options.ts";
import { OutgoingBudget } from "./outgoing-budget.ts";
import type { RequestRegistry } from "./requests.ts";

const LOGOUT: OfflineReason = { code: 1, why: "logout" };
const DISCONNECT: OfflineReason = { code: 2, why: "disconnect" };

/**
 * The life of every device session on this node, driven by the room's hooks:
 *
 *   join -> online --drop--> resuming --resume--> online
 *     | no ack of the join in time, or reads too slowly: gone
 *                               |  window passes, kick
 *   logout, kick, replaced -> gone <-+
 *
 * It keeps the device table (and with it the bus subscriptions) in step, turns user events from
 * the bus into pushes and kicks, meters every frame a device sends, bounds what waits to be sent
 * to it, and calls the hooks. The table, not Colyseus, is the truth about who is online: a kick
 * takes effect at once, even while the socket's closing handshake is still under way. A device
 * counts as online (presence, the online hook) only once it has acknowledged its join: a socket
 * that takes a seat and never does is closed after `joinTimeoutMs` without ever being online.
 */
export class Sessions implements ImRoomDelegate {
  readonly table: DeviceTable;
  readonly kickedTokens: KickedTokens;
  private room: ImRoom | undefined;
  private stopping = false;
  /**
   * The gateway's own user events besides `kick` (names in RESERVED_EVENT_NAMES, never pushed to
   * a device), by name: e.g. a subscriber's subscriptions changed.
   */
  readonly internalEvents = new Map<string, (user: LocalUser, event: EncodedUserEvent) => void>();

  constructor(
    private readonly nodeId: string,
    private readonly options: GatewayOptions,
    subjects: SubjectTable,
    private readonly hooks: DeviceLifecycle,
    private readonly requests: RequestRegistry,
    private readonly log: Logger,
    /** Counts each push handed to a device (the fan-out), when the node keeps metrics. */
    private readonly delivered: (devices: number) => void = () => undefined,
    private readonly teams?: GroupSubscriptions,
  ) {
    this.table = new DeviceTable(
      subjects,
      (user, data) => this.onUserEvent(user, data),
      teams,
      (appKey, users, data) => this.onBroadcast(appKey, users, data),
    );
    this.kickedTokens = new KickedTokens(options.resumeWindowMs + 60_000);
  }

  created(room: ImRoom): void {
    this.room = room;
    this.requests.bind(room);
  }

  async join(_room: ImRoom, client: ImClient, grant: LoginGrant): Promise<void> {
    const info = { nodeId: this.nodeId, sessionId: client.sessionId, ...grant, loginTime: Date.now() };
    const session = new DeviceSession(
      info,
      client,
      { perSecond: this.options.ratePerSecond, burst: this.options.rateBurst },
      this.options.resumeBufferFrames,
    );
    client.userData = session;
    this.watch(client, session);
    const { user, replaced } = this.table.add(session);
    if (replaced) {
      // One session per device id on a node: the newer login wins (the old socket is usually a
      // dead one the server has not noticed yet). Cluster-wide this is the policy's job.
      this.end(replaced, { code: KickReason.POLICY, why: "kicked" });
      this.kickConnection(replaced, { reason: KickReason.POLICY, desc: "replaced by a newer login of the same device" });
    }
    // Subscribe first, then tell the device it is online: every push published after it hears
    // `welcome` reaches it (DESIGN: subscribe first, then sync). Colyseus holds `welcome` until the
    // device acknowledges the join; it is announced then (`acknowledged`).
    await user.subscribed;
    if (session.state !== "online") return; // replaced or kicked while subscribing
    session.sendFrame(Frames.WELCOME, session.welcome(this.welcomeLimits({ resumed: false, lost: 0 })));
  }

  drop(room: ImRoom, client: ImClient, code: number): void {
    const session = client.userData;
    // No resume for a session the gateway is ending itself; Colyseus then calls `leave`.
    if (!session || session.state !== "online" || session.client !== client || session.closing || this.stopping) return;
    session.dropped(client.reconnectionToken);
    const seconds = this.options.resumeWindowMs / 1000;
    const pending = room.allowReconnection(client, seconds);
    // A client that never finished joining cannot resume: allowReconnection then answers a plain
    // rejected promise (typed as a Deferred, without `reject`), and Colyseus calls `leave` next.
    pending.catch(() => undefined);
    session.refuseResume = () => {
      if (typeof pending.reject === "function") pending.reject(new Error("kicked"));
    };
    this.log.debug({ accid: session.info.accid, deviceId: session.info.deviceId, code }, "device dropped; may resume");
  }

  reconnect(client: ImClient): void {
    const session = client.userData;
    if (!session || session.state !== "resuming") {
      // Cannot happen (a gone session's resume is refused first); close rather than serve a ghost.
      client.leave(CloseCodes.RESUME_FAILED, "session ended");
      return;
    }
    const { frames, lost } = session.resumed(client);
    this.watch(client, session);
    // Queued until the device acknowledges the join: welcome first, then what it missed, in order.
    session.sendFrame(Frames.WELCOME, session.welcome(this.welcomeLimits({ resumed: true, lost })));
    for (const f of frames) client.enqueueRaw(f);
  }

  leave(client: ImClient, code: number): void {
    const session = client.userData;
    if (!session) return;
    // The last client of the session is gone: consented (4000) is a logout, anything else a drop
    // whose window passed, or a socket the gateway closed itself (already ended then).
    this.end(session, code === CloseCodes.LOGOUT ? LOGOUT : DISCONNECT);
  }

  /** Kicks devices of a user on this node; returns how many. */
  kick(appKey: string, accid: string, kick: Omit<KickEvent, "ev">): number {
    const user = this.table.user(appKey, accid);
    return user ? this.kickIn(user, kick) : 0;
  }

  /** Pushes an event to every local device of a user, encoded once; returns how many devices. */
  push(appKey: string, accid: string, type: string, body: Record<string, unknown>): number {
    if (RESERVED_EVENT_NAMES.has(type)) throw new Error(`${type} is the gateway's own frame type`);
    const user = this.table.user(appKey, accid);
    if (!user) return 0;
    const frame = pushFrame(type, body);
    for (const s of user.devices.values()) s.deliver(frame);
    this.delivered(user.devices.size);
    return user.devices.size;
  }

  /** Ends every session (the sockets get 4001: log in again elsewhere) and waits for the room to go. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of [...this.table.all()]) {
      this.end(s, DISCONNECT);
      s.refuseResume?.();
    }
    // Closes every socket with 4001 and disposes the room; no hook runs twice (sessions are gone).
    await this.room?.disconnect(CloseCodes.SERVER_SHUTDOWN);
    this.table.clear();
  }

  private onUserEvent(user: LocalUser, data: Uint8Array): void {
    let event: EncodedUserEvent;
    try {
      event = decodeUserEventEnvelope(data);
      if (event.ev === "kick") {
        const kick = asKick(userEventOf(event));
        if (kick) this.kickIn(user, kick);
        else this.log.warn({ subject: user.subject }, "dropped a malformed kick event");
        return;
      }
    } catch (err) {
      this.log.warn({ err, subject: user.subject }, "dropped a malformed user event");
      return;
    }
    const internal = this.internalEvents.get(event.ev);
    if (internal) {
      internal(user, event);
      return;
    }
    if (RESERVED_EVENT_NAMES.has(event.ev)) {
      this.log.warn({ subject: user.subject, ev: event.ev }, "dropped a user event with a reserved name");
      return;
    }
    const groups =
      event.ev === TEAM_MEMBERSHIP_EVENT
        ? this.teams?.teams
        : event.ev === SUPER_TEAM_MEMBERSHIP_EVENT
          ? this.teams?.superTeams
          : undefined;
    if (groups) {
      // For this node (hold or release the group's subject), and passed on to the devices too.
      try {
        const { tid, member } = userEventOf(event);
        groups.membership(user, tid, member);
      } catch (err) {
        this.log.warn({ err, subject: user.subject }, "dropped a malformed team membership event");
      }
    }
    // The device an event came from has it already (a message: from its ack); the user's others get it.
    const origin = event.origin?.accid === user.accid ? event.origin.deviceId : undefined;
    if (origin !== undefined && user.devices.size === 1 && user.devices.has(origin)) return;
    const frame = pushFrameOf(event.ev, event.body);
    let n = 0;
    for (const [deviceId, s] of user.devices) {
      if (deviceId === origin) continue;
      s.deliver(frame);
      n++;
    }
    this.delivered(n);
  }

  /**
   * An app-wide broadcast: its body is decoded once (for its targetOs) and its frame encoded once,
   * then written to every local device of the app whose system it targets.
   */
  private onBroadcast(appKey: string, users: ReadonlySet<LocalUser>, data: Uint8Array): void {
    let event: EncodedUserEvent;
    let targetOs: unknown;
    try {
      event = decodeUserEventEnvelope(data);
      targetOs = userEventOf(event).targetOs;
    } catch (err) {
      this.log.warn({ err, appKey }, "dropped a malformed broadcast");
      return;
    }
    if (event.ev !== BROADCAST_EVENT || (targetOs !== undefined && !Array.isArray(targetOs))) {
      this.log.warn({ appKey, ev: event.ev }, "dropped a malformed broadcast");
      return;
    }
    const targets = targetOs as string[] | undefined;
    const frame = pushFrameOf(event.ev, event.body);
    let n = 0;
    for (const user of users) {
      for (const s of user.devices.values()) {
        if (!broadcastReaches(targets, s.info.clientType)) continue;
        s.deliver(frame);
        n++;
      }
    }
    this.delivered(n);
  }

  private kickIn(user: LocalUser, kick: Omit<KickEvent, "ev">): number {
    const targets = [...user.devices.values()].filter(
      (s) =>
        (!kick.deviceIds || kick.deviceIds.includes(s.info.deviceId)) && (!kick.sessionIds || kick.sessionIds.includes(s.info.sessionId)),
    );
    const kicked: Kicked = {
      reason: kick.reason,
      ...(kick.desc !== undefined && { desc: kick.desc }),
      ...(kick.ext !== undefined && { ext: kick.ext }),
    };
    for (const s of targets) {
      this.end(s, { code: kick.reason, why: "kicked" });
      this.kickConnection(s, kicked);
    }
    return targets.length;
  }

  /** Tells the device why and closes it so that it stays away; a dropped one may not resume. */
  private kickConnection(session: DeviceSession, kicked: Kicked): void {
    session.closing = true;
    // Remember why under the token a resume would present: a device that was away (or whose
    // `kicked` frame was lost with its connection) learns it was kicked instead of logging in again.
    const token = session.resumeToken ?? session.client?.reconnectionToken;
    if (token) this.kickedTokens.add(token, kicked);
    const client = session.client;
    if (client) {
      client.send(Frames.KICKED, kicked);
      client.leave(CloseCodes.KICKED, "kicked");
    } else {
      session.refuseResume?.();
    }
  }

  /** Takes the session out of the table (and the bus, after the user's last) and reports it offline. */
  private end(session: DeviceSession, reason: OfflineReason): void {
    if (session.state === "gone") return;
    const device = session.describe();
    session.end();
    this.table.remove(session);
    if (session.announced) this.hooks.deviceOffline(device, reason);
  }

  /**
   * Everything the gateway keeps an eye on for one connection: its rate, its outgoing bytes, and
   * its join, which must be acknowledged within `joinTimeoutMs`.
   */
  private watch(client: ImClient, session: DeviceSession): void {
    this.meter(client, session);
    OutgoingBudget.watch(client, this.options.outgoingBufferBytes, (waiting) => this.tooSlow(session, client, waiting));
    const deadline = setTimeout(() => this.joinTimedOut(session, client), this.options.joinTimeoutMs);
    // Colyseus handles the ack (JOIN_ROOM) in its own 'message' listener, which runs right after
    // this one; its client state says JOINED once the frames of this read are dispatched.
    const onFrame = () =>
      queueMicrotask(() => {
        if (client.state !== ClientState.JOINED) return;
        client.ref.off("message", onFrame);
        clearTimeout(deadline);
        this.acknowledged(session, client);
      });
    client.ref.on("message", onFrame);
    client.ref.once("close", () => clearTimeout(deadline));
  }

  /** The device acknowledged its join (or its resume): from now on it is online. */
  private acknowledged(session: DeviceSession, client: ImClient): void {
    if (session.client !== client || session.state !== "online" || session.announced) return;
    session.announced = true;
    this.hooks.deviceOnline(session.describe());
  }

  /** A socket that took a seat but never acknowledged the join: it never was online; close it. */
  private joinTimedOut(session: DeviceSession, client: ImClient): void {
    if (client.state === ClientState.JOINED || session.client !== client) return;
    this.log.info({ accid: session.info.accid, deviceId: session.info.deviceId }, "join not acknowledged in time; closing");
    this.closeFor(session, client, CloseCodes.JOIN_TIMEOUT, "join not acknowledged in time");
  }

  /** The device stopped reading, or reads slower than its pushes come: end it before it costs more. */
  private tooSlow(session: DeviceSession, client: ImClient, waiting: number): void {
    this.log.warn({ accid: session.info.accid, deviceId: session.info.deviceId, waiting }, "device reads too slowly; closing");
    this.closeFor(session, client, CloseCodes.SLOW_CONSUMER, "reading too slowly");
  }

  /**
   * Ends the session at once (no more pushes are routed to it; no resume) and closes the socket
   * with `code`. The close frame may wait behind unsent bytes; ws destroys a socket whose peer does
   * not answer the close within 30 s.
   */
  private closeFor(session: DeviceSession, client: ImClient, code: number, why: string): void {
    if (session.client === client) {
      session.closing = true;
      this.end(session, DISCONNECT);
    }
    client.leave(code, why);
  }

  /**
   * Counts every frame the device sends, before Colyseus dispatches it: ws calls 'message'
   * listeners in order and this one is added before Colyseus adds its own (after onJoin /
   * onReconnect). Handlers read `admitted` for the frame in hand. A device that ignores its 416s
   * is disconnected.
   */
  private meter(client: ImClient, session: DeviceSession): void {
    client.ref.on("message", () => {
      session.admitted = session.limiter.take();
      if (!session.admitted && session.limiter.refusedInARow === this.options.rateCloseAfterRefused) {
        session.closing = true;
        client.error(Codes.RATE_LIMITED.code, "rate limited: too many frames, disconnecting");
        client.leave(CloseCodes.RATE_LIMITED, "rate limited");
      }
    });
  }

  private welcomeLimits(extra: { resumed: boolean; lost: number }) {
    return {
      ...extra,
      resumeWindowMs: this.options.resumeWindowMs,
      maxFrameBytes: this.options.maxFrameBytes,
      rate: { perSecond: this.options.ratePerSecond, burst: this.options.rateBurst },
    };
  }
}
