import type { Room } from "@colyseus/sdk";
import { encode } from "@msgpack/msgpack";
import { backoffDelay, defaultReconnectPolicy, type ReconnectPolicy } from "./backoff.ts";
import { Emitter } from "./emitter.ts";
import { ClientCodes, FINAL_LOGIN_CODES, NimbusClientError } from "./errors.ts";
import { Matchmaker, toClientError } from "./matchmake.ts";
import { TeamsClient } from "./teams.ts";
import { SignallingClient } from "./signalling.ts";
import { Messenger, type HistoryOptions, type MessagingClientEvents, type SendOptions } from "./messenger.ts";
import {
  MessageType,
  type ConversationSummary,
  type Message,
  type ReadReceipt,
  type RecallEvent,
  type SendAck,
  type SystemNotification,
} from "../protocol/messages.ts";
import type { SyncState } from "../protocol/messaging.ts";
import { PresenceFeed } from "./presence-feed.ts";
import {
  PresenceRequests,
  type PresenceChange,
  type CustomEventChange,
  type PublishEventRequest,
  type SubscribeRequest,
  type SubscriptionInfo,
  type UnsubscribeRequest,
} from "../protocol/presence-events.ts";
import { CloseCodes, Frames, RESUME_GONE_CODES, type JoinOptions, type Kicked, type SessionInfo, type Welcome } from "../protocol/link.ts";

export interface ConnectOptions extends JoinOptions {
  /** Any node's HTTP address, e.g. `http://127.0.0.1:2567` (https for TLS). */
  url: string;
  reconnect?: Partial<ReconnectPolicy>;
  /** Default time a `request` waits for its answer. */
  requestTimeoutMs?: number;
  /** How long a (re)join waits for the server's `welcome`. */
  welcomeTimeoutMs?: number;
  /**
   * Where this device left off, as `syncState()` returned it last time (persist it if you keep
   * messages across restarts): the login sync then asks only for what is newer. Without it the
   * device counts as new and gets NIM's roaming set.
   */
  syncState?: Partial<SyncState>;
}

export interface NimbusClientEvents extends MessagingClientEvents {
  /** Kicked (by another device, the multi-device policy, or the app server); the client is closed after. */
  kicked: Kicked;
  /** The connection went away; with `willReconnect` the client is already working on it. */
  disconnected: { code: number; reason: string; willReconnect: boolean };
  /** Back online: `resumed` means the same session continued (pushes buffered meanwhile follow). */
  reconnected: { resumed: boolean; lost: number; session: SessionInfo };
  /** Any other push from the server (user events: messages, notifications, …). */
  event: { type: string; body: unknown };
  /**
   * An error frame from the server, e.g. 416 (rate limited) or 509 (unknown message type), or a
   * background request that failed (the login sync).
   */
  error: { code: number; desc: string };
  /** Done for good: logout, kick, a refused login while reconnecting, or too many failed attempts. */
  closed: { code: number; reason: string };
  /**
   * A subscribed publisher's online state: each change once and in order (per publisher), and its
   * state now (`sync: true`) after subscribing and after each login when that is news.
   */
  presence: PresenceChange;
  /**
   * A subscribed publisher's custom event (eventType ≥ 100000): each once and in order (per
   * publisher and type), and the one kept now (`sync: true`) after subscribing and after each login.
   */
  customEvent: CustomEventChange;
}

export type ClientState = "connected" | "reconnecting" | "closed";

/**
 * A device's realtime link to Nimbus, over the official Colyseus SDK. `connect()` logs in and
 * resolves once the server has welcomed the device. After an unexpected disconnect it reconnects
 * on its own, with backoff: first it tries to resume the same session (within the server's resume
 * window, with Colyseus's reconnection token; pushes sent meanwhile are then delivered), then it
 * logs in afresh. A kick or a logout ends it; nothing brings it back.
 */
export class NimbusClient extends Emitter<NimbusClientEvents> {
  private readonly matchmaker: Matchmaker;
  private readonly policy: ReconnectPolicy;
  private current: Room | undefined;
  private welcome: Welcome | undefined;
  private status: ClientState = "reconnecting";
  private wake: (() => void) | undefined;
  private readonly messenger: Messenger;
  /** Advanced teams: create, manage, join (see TeamsClient). */
  readonly teams: TeamsClient;
  /** Signalling: invitations into call rooms, their answers, joins and leaves (events: `signal`). */
  readonly signalling: SignallingClient;
  private readonly presenceFeed = new PresenceFeed(
    (change) => this.emit("presence", change),
    (event) => this.emit("customEvent", event),
  );

  constructor(private readonly options: ConnectOptions) {
    super();
    this.matchmaker = new Matchmaker(options.url);
    this.policy = { ...defaultReconnectPolicy, ...options.reconnect };
    this.signalling = new SignallingClient((type, body) => this.request(type, body));
    this.messenger = new Messenger(
      {
        request: (type, body, o) => this.request(type, body, o),
        connected: () => this.status === "connected",
        closed: () => this.status === "closed",
        self: () => this.session,
        emit: <K extends keyof MessagingClientEvents>(name: K, payload: MessagingClientEvents[K]) =>
          this.emit(name, payload as NimbusClientEvents[K]),
        fail: (code, desc) => this.emit("error", { code, desc }),
      },
      options.syncState,
    );
    this.teams = new TeamsClient((type, body) => this.request(type, body));
  }

  get state(): ClientState {
    return this.status;
  }

  /** This session as the server described it in its last `welcome`. */
  get session(): SessionInfo {
    if (!this.welcome) throw new NimbusClientError(ClientCodes.NOT_CONNECTED, "not connected yet");
    const { resumed: _r, lost: _l, resumeWindowMs: _w, maxFrameBytes: _m, rate: _rt, serverTime: _t, ...session } = this.welcome;
    return session;
  }

  /** The server's limits, from the last `welcome`. */
  get limits(): Pick<Welcome, "resumeWindowMs" | "maxFrameBytes" | "rate"> | undefined {
    return (
      this.welcome && { resumeWindowMs: this.welcome.resumeWindowMs, maxFrameBytes: this.welcome.maxFrameBytes, rate: this.welcome.rate }
    );
  }

  /** The underlying Colyseus room while connected: an escape hatch, not needed for normal use. */
  get room(): Room | undefined {
    return this.current;
  }

  /** Logs in; used once by `connect()`. Throws NimbusClientError with the NIM code. */
  async open(): Promise<void> {
    try {
      const room = await this.matchmaker.login(this.joinOptions());
      await this.adopt(room);
      this.status = "connected";
      this.messenger.onOnline({ resumed: false, lost: 0 });
      // After the caller of connect() has the client (its continuation runs before any timer).
      setTimeout(() => this.presenceFeed.release(), 0);
    } catch (err) {
      this.status = "closed";
      throw err;
    }
  }

  /**
   * Sends a request and waits for its answer. Rejects with NimbusClientError: the server's NIM
   * code, 415 when not connected, 408 on timeout, 509 for a type the server does not handle,
   * 405 for a body larger than the server's frame limit.
   */
  async request<T = unknown>(type: string, body?: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    const room = this.openRoom(type, body);
    try {
      return (await room.request(type, body, { timeout: options.timeoutMs ?? this.options.requestTimeoutMs ?? 10_000 })) as T;
    } catch (err) {
      throw requestError(err);
    }
  }

  /**
   * Subscribes this account to the online state of `publishers` (1 to 100 accids) for `ttlSeconds`
   * (60 s to 30 days; subscribing again renews). Answers the ones that failed (not registered, or
   * this account). Rejects with 419 past the app's limit (3,000 accounts), changing nothing.
   * Their state follows as `presence` events; with a custom `eventType` (≥ 100000), their events
   * of that type follow as `customEvent` events instead.
   */
  subscribePresence(publishers: string[], ttlSeconds: number, eventType?: number): Promise<{ failed: string[] }> {
    return this.request(PresenceRequests.SUBSCRIBE, {
      publishers,
      ttlSeconds,
      ...(eventType !== undefined && { eventType }),
    } satisfies SubscribeRequest);
  }

  /**
   * Ends subscriptions to `publishers` (of `eventType`, 1 when absent), or every one without (of
   * every type when no `eventType` either); answers those that were not subscribed.
   */
  unsubscribePresence(publishers?: string[], eventType?: number): Promise<{ failed: string[] }> {
    return this.request(PresenceRequests.UNSUBSCRIBE, {
      ...(publishers && { publishers }),
      ...(eventType !== undefined && { eventType }),
    } satisfies UnsubscribeRequest);
  }

  /** This account's live subscriptions (of `publishers` and of `eventType` only, when given). */
  presenceSubscriptions(publishers?: string[], eventType?: number): Promise<SubscriptionInfo[]> {
    return this.request(PresenceRequests.SUBSCRIPTIONS, {
      ...(publishers && { publishers }),
      ...(eventType !== undefined && { eventType }),
    });
  }

  /**
   * Publishes a custom event (eventType ≥ 100000, an integer eventValue, a config of at most 4096
   * characters, valid for ttl 60 s to 7 days) to the accounts subscribed to this account's events
   * of that type: broadcastType 1 to those online now only, 2 (default) also to those who
   * subscribe or log in while it is valid. Answers the event as they get it.
   */
  publishEvent(event: PublishEventRequest): Promise<CustomEventChange> {
    return this.request(PresenceRequests.PUBLISH_EVENT, event);
  }

  /** Sends a plain message of any type, with no answer; failures come back as `error` events. */
  sendPlain(type: string, body?: unknown): void {
    this.openRoom(type, body).send(type, body);
  }

  /** Sends a text message to `to`; see `send`. */
  sendText(to: string, text: string, options?: SendOptions): Promise<SendAck> {
    return this.messenger.send(to, MessageType.TEXT, { msg: text }, options);
  }

  /**
   * Sends a p2p message and resolves with the server's ack (its seq and msgid). If the link drops
   * before the ack, the message is sent again with the same clientMsgId once the link is back, so
   * it is stored once whatever happened; it rejects only on the server's refusal (414, 416, …) or
   * when the client closes. The message itself reaches this device as a `message` event too, built from the ack.
   */
  send(to: string, type: MessageType, body: Record<string, unknown>, options?: SendOptions): Promise<SendAck> {
    return this.messenger.send(to, type, body, options);
  }

  /** Recalls one of this account's messages to `peer` (NIM's recall window applies: 508 past it). */
  recall(peer: string, msgid: number): Promise<RecallEvent> {
    return this.messenger.recall(peer, msgid);
  }

  /** Marks the conversation with `peer` read up to `seq`; the peer's devices get a `receipt`. */
  markRead(peer: string, seq: number): Promise<ReadReceipt> {
    return this.messenger.markRead(peer, seq);
  }

  /** A page of the conversation with `peer`: by default its newest 100 messages, newest first. */
  history(peer: string, options?: HistoryOptions): Promise<Message[]> {
    return this.messenger.history(peer, options);
  }

  /** This account's conversations, most recently updated first. */
  conversations(options?: { limit?: number }): Promise<ConversationSummary[]> {
    return this.messenger.conversations(options);
  }

  /** A custom notification (e.g. typing) to `to`'s online devices; never stored. */
  notify(to: string, attach: string): Promise<SystemNotification> {
    return this.messenger.notify(to, attach);
  }

  /** Where this device is: the newest seq it has per conversation; pass it to `connect` next time. */
  syncState(): SyncState {
    return this.messenger.syncState();
  }

  /** Resolves once the login sync under way, if any, has been applied. */
  synced(): Promise<void> {
    return this.messenger.synced();
  }

  /** Logs out: the server forgets this device at once, and the client is closed. */
  async logout(): Promise<void> {
    if (this.status === "closed") return;
    const room = this.current;
    this.finish(CloseCodes.LOGOUT, "logout");
    if (room) {
      // The server answers a consented leave by closing the socket; do not wait forever for it.
      await Promise.race([room.leave(true), new Promise((r) => setTimeout(r, 5_000))]);
    }
  }

  private joinOptions(): JoinOptions {
    const { appKey, accid, token, deviceId, clientType } = this.options;
    const { sdkVersion, customTag } = this.options;
    return {
      appKey,
      accid,
      token,
      deviceId,
      clientType,
      ...(sdkVersion !== undefined && { sdkVersion }),
      ...(customTag !== undefined && { customTag }),
    };
  }

  private openRoom(type: string, body: unknown): Room {
    const room = this.current;
    if (this.status !== "connected" || !room) throw new NimbusClientError(ClientCodes.NOT_CONNECTED, "not connected");
    const max = this.welcome?.maxFrameBytes;
    // The server closes the socket (1009) on an oversize frame; refuse it here instead.
    if (max !== undefined && body !== undefined && encode(body).byteLength + type.length + 16 > max) {
      throw new NimbusClientError(ClientCodes.TOO_LARGE, `the ${type} frame is larger than the server's ${max}-byte limit`);
    }
    return room;
  }

  /** Takes over a joined room: listeners, then the server's welcome. */
  private async adopt(room: Room): Promise<Welcome> {
    // The SDK's own auto-reconnect knows only "resume or give up"; this client also logs in afresh,
    // and must not reconnect after a kick, so it runs the whole loop itself.
    room.reconnection.enabled = false;
    this.current = room;
    const welcomed = new Promise<Welcome>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new NimbusClientError(ClientCodes.TIMEOUT, "no welcome from the server")),
        this.options.welcomeTimeoutMs ?? 10_000,
      );
      room.onMessage(Frames.WELCOME, (w: Welcome) => {
        clearTimeout(timer);
        this.welcome = w;
        resolve(w);
      });
      room.onLeave((code) => {
        clearTimeout(timer);
        reject(new NimbusClientError(ClientCodes.NOT_CONNECTED, `closed (${code}) before the welcome`));
      });
    });
    room.onMessage(Frames.KICKED, (k: Kicked) => this.onKicked(room, k));
    room.onMessage("*", (type: string | number, body: unknown) => {
      if (room !== this.current) return;
      this.emit("event", { type: String(type), body });
      this.messenger.onPush(String(type), body);
      this.presenceFeed.offer(String(type), body);
    });
    room.onError((code, message) => {
      if (room === this.current && typeof code === "number") this.emit("error", { code, desc: message ?? "" });
    });
    room.onLeave((code, reason) => this.onLeave(room, code, reason ?? ""));
    try {
      return await welcomed;
    } catch (err) {
      if (this.current === room) this.current = undefined;
      void room.leave(false).catch(() => undefined);
      throw err;
    }
  }

  private onKicked(room: Room, kicked: Kicked): void {
    if (room !== this.current || this.status === "closed") return;
    this.emit("kicked", kicked);
    this.finish(CloseCodes.KICKED, kicked.desc ?? "kicked");
  }

  private onLeave(room: Room, code: number, reason: string): void {
    if (room !== this.current) return;
    this.current = undefined;
    this.messenger.onOffline();
    if (this.status === "closed") return;
    if (code === CloseCodes.KICKED || code === CloseCodes.LOGOUT) {
      // A kick whose frame was lost, or a logout from elsewhere: either way, stay away.
      this.finish(code, reason || "closed by the server");
      return;
    }
    if (code === CloseCodes.RATE_LIMITED) this.emit("error", { code: 416, desc: "disconnected for sending too fast" });
    if (code === CloseCodes.FRAME_TOO_LARGE)
      this.emit("error", { code: ClientCodes.TOO_LARGE, desc: "a frame exceeded the server's limit" });
    const willReconnect = this.policy.enabled;
    this.status = willReconnect ? "reconnecting" : "closed";
    this.emit("disconnected", { code, reason, willReconnect });
    if (willReconnect) void this.reconnect(room.reconnectionToken, code);
    else this.emit("closed", { code, reason });
  }

  private async reconnect(token: string | undefined, closeCode: number): Promise<void> {
    const droppedAt = Date.now();
    const window = this.welcome?.resumeWindowMs ?? 0;
    // After a shutdown or a refused resume, the session is gone: go straight to a fresh login.
    let resumeToken = closeCode === CloseCodes.SERVER_SHUTDOWN || closeCode === CloseCodes.RESUME_FAILED ? undefined : token;
    for (let attempt = 1; ; attempt++) {
      if (attempt > this.policy.maxAttempts) return this.finish(ClientCodes.NOT_CONNECTED, "gave up reconnecting");
      await this.sleep(backoffDelay(this.policy, attempt));
      if (this.status !== "reconnecting") return;
      try {
        let resumed = false;
        let room: Room | undefined;
        if (resumeToken && Date.now() - droppedAt < window) {
          try {
            room = await this.matchmaker.resume(resumeToken);
            resumed = true;
          } catch (err) {
            const e = toClientError(err);
            if (e.kicked) return this.onKickedAway(e.kicked);
            // Unreachable or busy: keep the token and try again later. Gone: log in afresh, now.
            if (!RESUME_GONE_CODES.has(e.code)) throw e;
            resumeToken = undefined;
          }
        }
        room ??= await this.matchmaker.login(this.joinOptions());
        const welcome = this.status === "reconnecting" ? await this.adopt(room) : undefined;
        if (!welcome || this.status !== "reconnecting") {
          // Logged out while this attempt was under way: leave the room it just joined.
          if (this.current === room) this.current = undefined;
          void room.leave(true).catch(() => undefined);
          return;
        }
        this.status = "connected";
        this.messenger.onOnline({ resumed: resumed && welcome.resumed, lost: welcome.lost });
        this.emit("reconnected", { resumed: resumed && welcome.resumed, lost: welcome.lost, session: this.session });
        return;
      } catch (err) {
        const e = toClientError(err);
        if (FINAL_LOGIN_CODES.has(e.code)) return this.finish(e.code, `login refused: ${e.message}`);
      }
    }
  }

  /** The session was kicked while this device was away. */
  private onKickedAway(kicked: Kicked): void {
    this.emit("kicked", kicked);
    this.finish(CloseCodes.KICKED, kicked.desc ?? "kicked");
  }

  private finish(code: number, reason: string): void {
    if (this.status === "closed") return;
    this.status = "closed";
    this.wake?.();
    this.messenger.onClosed();
    this.emit("closed", { code, reason });
  }

  /** Waits, unless the client closes meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** Maps what `room.request` rejects with (see the SDK's RoomRequest) to a NimbusClientError. */
export function requestError(err: unknown): NimbusClientError {
  if (err instanceof NimbusClientError) return err;
  const e = err as { name?: string; message?: string; code?: unknown; reason?: unknown };
  const message = e.message ?? String(err);
  if (typeof e.code === "number") return new NimbusClientError(e.code, message);
  if (e.name === "no_handler") return new NimbusClientError(ClientCodes.UNKNOWN_TYPE, message);
  if (e.name === "rejected") {
    const code = (e.reason as { code?: unknown } | undefined)?.code;
    return new NimbusClientError(typeof code === "number" ? code : 400, message);
  }
  if (message.includes("timed out")) return new NimbusClientError(ClientCodes.TIMEOUT, message);
  return new NimbusClientError(ClientCodes.NOT_CONNECTED, message);
}
