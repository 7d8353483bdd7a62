import type { Room } from "@colyseus/sdk";
import { backoffDelay, defaultReconnectPolicy, type ReconnectPolicy } from "./backoff.ts";
import { newClientMsgId } from "./client-msg-id.ts";
import { requestError } from "./client.ts";
import { Emitter } from "./emitter.ts";
import { ClientCodes, FINAL_LOGIN_CODES, NimbusClientError } from "./errors.ts";
import { Matchmaker } from "./matchmake.ts";
import {
  CHATROOM_SLOW_CLOSE,
  ChatroomFrames,
  ChatroomNotificationKind,
  ChatroomRequests,
  type ChatroomEnterOptions,
  type ChatroomKicked,
  type ChatroomMessage,
  type ChatroomNotification,
  type ChatroomQueueChange,
  type ChatroomSendAck,
  type ChatroomSendRequest,
  type ChatroomWelcome,
} from "../protocol/chatroom.ts";
import { CloseCodes } from "../protocol/link.ts";

export interface EnterChatroomOptions extends Omit<ChatroomEnterOptions, "roomid"> {
  /** Any node's HTTP address (or one `chatroom/requestAddr` answered), e.g. `http://127.0.0.1:2567`. */
  url: string;
  reconnect?: Partial<ReconnectPolicy>;
  requestTimeoutMs?: number;
}

export interface ChatroomEvents {
  /** A message of another member (or the app server), in the room's order. Your own come back as `send`'s answer. */
  message: ChatroomMessage;
  /** NIM's notifications: members in and out, roles, mutes, kicks, info, queue changes (ids 301…). */
  notification: ChatroomNotification;
  /** A queue change (also a notification 317 / 320), in order. */
  queue: ChatroomQueueChange;
  /** Put out of the room (kicked, blacklisted, the room closed, entered elsewhere); the handle is closed after. */
  kicked: ChatroomKicked;
  disconnected: { code: number; willReconnect: boolean };
  /** Entered again after a drop; messages sent meanwhile were fetched from history and emitted first. */
  reconnected: ChatroomWelcome;
  /** Done for good. */
  closed: { code: number; reason: string };
}

/** What `send` takes beside the type and attach. */
export interface ChatroomSendOptions {
  ext?: string;
  highPriority?: boolean;
  skipHistory?: boolean;
  clientMsgId?: string;
}

/** How many seqs a handle remembers to tell a repeat: more than one history fetch brings. */
const SEEN_KEPT = 1000;

/** Codes after which the handle does not re-enter by itself. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCodes.LOGOUT, CloseCodes.KICKED]);

/**
 * A client's place in one chat room (over its own Colyseus connection: `joinOrCreate("chatroom", …)`).
 * A room keeps no offline messages; when the connection drops, the handle enters again (with
 * backoff) and reads what it missed from the room's history, so a short drop loses nothing that
 * history keeps. Messages beyond the member's receive budget (20 a second) are dropped by the
 * server and not fetched again: that is the room's rule for a hot room.
 */
export class ChatroomHandle extends Emitter<ChatroomEvents> {
  private readonly matchmaker: Matchmaker;
  private readonly policy: ReconnectPolicy;
  private room: Room | undefined;
  private welcomeInfo: ChatroomWelcome | undefined;
  private status: "entering" | "in" | "reconnecting" | "closed" = "entering";
  /**
   * Seqs seen lately (by push, send or history), so a message is emitted once even when a re-entry
   * fetches it from history too; and the newest time seen, where that fetch starts. A set, not a
   * high-water mark: the ack of one's own send may overtake another member's earlier message.
   */
  private readonly seenSeqs = new Set<number>();
  private lastTime = 0;

  constructor(
    readonly roomid: number,
    private readonly options: EnterChatroomOptions,
  ) {
    super();
    this.matchmaker = new Matchmaker(options.url);
    this.policy = { ...defaultReconnectPolicy, ...options.reconnect };
  }

  /** The server's welcome of the latest entry: role, mutes, the room's info, the receive budget. */
  get welcome(): ChatroomWelcome {
    if (!this.welcomeInfo) throw new NimbusClientError(ClientCodes.NOT_CONNECTED, "not in the room yet");
    return this.welcomeInfo;
  }

  /** The underlying Colyseus room while in: an escape hatch, not needed for normal use. */
  get connection(): Room | undefined {
    return this.room;
  }

  get state(): "entering" | "in" | "reconnecting" | "closed" {
    return this.status;
  }

  /** Enters; used once by enterChatroom(). Rejects with the NIM code (302, 404, 13002 closed, 13003 blacklisted…). */
  async open(): Promise<void> {
    await this.enter();
    this.status = "in";
  }

  /** Sends a message; answers the stored message (a resend of the same clientMsgId answers the first). */
  async send(type: number, attach: string, options: ChatroomSendOptions = {}): Promise<ChatroomSendAck> {
    const req: ChatroomSendRequest = { clientMsgId: options.clientMsgId ?? newClientMsgId(), type, attach };
    if (options.ext !== undefined) req.ext = options.ext;
    if (options.highPriority) req.highPriority = true;
    if (options.skipHistory) req.skipHistory = true;
    const ack = await this.request<ChatroomSendAck>(ChatroomRequests.SEND, req);
    this.seen(ack.message);
    return ack;
  }

  sendText(text: string, options?: ChatroomSendOptions): Promise<ChatroomSendAck> {
    return this.send(0, text, options);
  }

  /** The room's history (10 days): from `timetag` (0 = now) newest first, or oldest first with reverse 1. */
  history(query: { timetag?: number; limit?: number; reverse?: 1 | 2; types?: number[] } = {}): Promise<ChatroomMessage[]> {
    return this.request(ChatroomRequests.HISTORY, query);
  }

  queueOffer(key: string, value: string, options: { transient?: boolean } = {}): Promise<null> {
    return this.request(ChatroomRequests.QUEUE_OFFER, { key, value, transient: options.transient === true });
  }

  /** Takes `key` (or the head) out of the queue; null when there is nothing. */
  queuePoll(key = ""): Promise<{ key: string; value: string } | null> {
    return this.request(ChatroomRequests.QUEUE_POLL, { key });
  }

  queueList(): Promise<{ key: string; value: string }[]> {
    return this.request(ChatroomRequests.QUEUE_LIST, {});
  }

  /** The room's info now, with its online member count. */
  info(): Promise<Record<string, unknown>> {
    return this.request(ChatroomRequests.INFO, {});
  }

  /** Leaves the room for good. */
  async leave(): Promise<void> {
    if (this.status === "closed") return;
    this.status = "closed";
    await this.room?.leave(true).catch(() => undefined);
    this.emit("closed", { code: CloseCodes.LOGOUT, reason: "left" });
  }

  async request<T>(type: string, body: unknown): Promise<T> {
    const room = this.room;
    if (!room || this.status !== "in") throw new NimbusClientError(ClientCodes.NOT_CONNECTED, "not in the room");
    try {
      return (await room.request(type, body, { timeout: this.options.requestTimeoutMs ?? 10_000 })) as T;
    } catch (err) {
      throw requestError(err);
    }
  }

  private async enter(): Promise<void> {
    const { url: _u, reconnect: _r, requestTimeoutMs: _t, ...enter } = this.options;
    const room = await this.matchmaker.enterChatroom({ ...enter, roomid: this.roomid });
    // The handle enters again by itself (a new seat, then history): the Colyseus SDK's own
    // reconnection would try to resume a seat the edge does not keep.
    room.reconnection.enabled = false;
    const welcomed = new Promise<ChatroomWelcome>((resolve) => room.onMessage(ChatroomFrames.WELCOME, resolve));
    room.onMessage(ChatroomFrames.MESSAGE, (m: ChatroomMessage) => {
      if (this.seen(m)) this.emit("message", m);
    });
    room.onMessage(ChatroomFrames.NOTIFICATION, (n: ChatroomNotification) => {
      this.emit("notification", n);
      if (n.id === ChatroomNotificationKind.QUEUE_CHANGE || n.id === ChatroomNotificationKind.QUEUE_BATCH_CHANGE) {
        this.emit("queue", n.data as unknown as ChatroomQueueChange);
      }
    });
    room.onMessage(ChatroomFrames.KICKED, (k: ChatroomKicked) => {
      this.status = "closed";
      this.emit("kicked", k);
    });
    room.onLeave((code) => this.dropped(room, code));
    this.room = room;
    this.welcomeInfo = await welcomed;
  }

  /** Records a message as seen; false when it was seen already (a repeat after re-entry). */
  private seen(m: ChatroomMessage): boolean {
    // Seq 0: not stored (a broadcast, a message to some members): never in history, never repeated.
    if (m.seq === 0) return true;
    if (this.seenSeqs.has(m.seq)) return false;
    this.seenSeqs.add(m.seq);
    if (this.seenSeqs.size > SEEN_KEPT) this.seenSeqs.delete(this.seenSeqs.values().next().value!);
    this.lastTime = Math.max(this.lastTime, m.time);
    return true;
  }

  private dropped(room: Room, code: number): void {
    if (room !== this.room) return;
    this.room = undefined;
    if (this.status === "closed" || FINAL_CLOSE_CODES.has(code)) {
      const wasOpen = this.status !== "closed" || code === CloseCodes.KICKED;
      this.status = "closed";
      if (wasOpen) this.emit("closed", { code, reason: code === CloseCodes.KICKED ? "kicked" : "left" });
      return;
    }
    const willReconnect = this.policy.enabled;
    this.emit("disconnected", { code, willReconnect });
    if (!willReconnect) {
      this.status = "closed";
      this.emit("closed", { code, reason: code === CHATROOM_SLOW_CLOSE ? "too slow" : "connection lost" });
      return;
    }
    this.status = "reconnecting";
    void this.reenter();
  }

  /** Enters again with backoff, then emits what history has since the last message seen. */
  private async reenter(): Promise<void> {
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      await new Promise((r) => setTimeout(r, backoffDelay(this.policy, attempt)));
      if (this.status === "closed") return;
      try {
        await this.enter();
      } catch (err) {
        const code = err instanceof NimbusClientError ? err.code : 0;
        if (FINAL_LOGIN_CODES.has(code) || code === 13002 || code === 13003) {
          this.status = "closed";
          this.emit("closed", { code, reason: err instanceof Error ? err.message : String(err) });
          return;
        }
        continue;
      }
      this.status = "in";
      await this.catchUp();
      this.emit("reconnected", this.welcome);
      return;
    }
    this.status = "closed";
    this.emit("closed", { code: ClientCodes.NOT_CONNECTED, reason: "gave up re-entering" });
  }

  private async catchUp(): Promise<void> {
    if (this.lastTime === 0) return;
    try {
      const missed = await this.history({ timetag: this.lastTime, reverse: 1, limit: 200 });
      for (const m of missed) if (this.seen(m)) this.emit("message", m);
    } catch {
      // History is best effort here: the room goes on.
    }
  }
}

/** Enters chat room `roomid` as `options.accid`; resolves once the server welcomed the client. */
export async function enterChatroom(roomid: number, options: EnterChatroomOptions): Promise<ChatroomHandle> {
  const handle = new ChatroomHandle(roomid, options);
  await handle.open();
  return handle;
}
