import { NOTIFICATION_TYPE } from "../protocol/messages.ts";
import type { TeamNotificationBody } from "../protocol/team.ts";
import type { SuperTeamNotificationBody } from "../protocol/superteam.ts";
import {
  MessageType,
  MessagingEvents,
  type ConversationSummary,
  type DeleteEvent,
  type HistoryRequest,
  type Message,
  type MessageOption,
  type ReadReceipt,
  type RecallEvent,
  type SendAck,
  type SessionRemovedEvent,
  type SyncRequest,
  type SyncResult,
  type SystemNotification,
} from "../protocol/messages.ts";
import { conversationOf, parseConversation, peerOf } from "../conversation/ref.ts";
import { Codes } from "../protocol/codes.ts";
import { jsonShapeProblem } from "../protocol/json-shape.ts";
import { newClientMsgId } from "./client-msg-id.ts";
import { ClientCodes, NimbusClientError } from "./errors.ts";
import {
  MessagingRequests,
  type ConversationsRequest,
  type MarkReadRequest,
  type NotifyRequest,
  type RecallRequest,
  type SendRequest,
  type SyncState,
} from "../protocol/messaging.ts";
import { NotificationFeed } from "./notification-feed.ts";
import { BroadcastFeed } from "./broadcast-feed.ts";
import { SIGNAL_EVENT, SignalEventTypes, type SignalEvent } from "../protocol/signal.ts";
import { BROADCAST_EVENT, BROADCASTS_REQUEST, type Broadcast } from "../protocol/broadcasts.ts";
import { Outbox } from "./outbox.ts";
import { Sequencer } from "./sequencer.ts";
import type { SessionInfo } from "../protocol/link.ts";

/** The events messaging adds to the client. */
export interface MessagingClientEvents {
  /** A message of one of this account's conversations: per conversation in seq order, each once. */
  message: Message;
  /** A message was recalled (by its sender or the app server). */
  recall: RecallEvent;
  /** A message was deleted for both sides by the app server (NIM msg/delMsg): drop it. */
  deleted: DeleteEvent;
  /** The app server removed a conversation from this account's list (NIM msg/delRoamSession). */
  sessionRemoved: SessionRemovedEvent;
  /** An app-wide broadcast from the app server (NIM msg/broadcastMsg): pushed, or after a login when it was stored. Once each. */
  broadcast: Broadcast;
  /** Something happened in a signalling room this account takes part in (an invitation, its answer, a join…). */
  signal: SignalEvent;
  /** The peer has read a conversation up to `seq`. */
  receipt: ReadReceipt;
  /** A system notification: stored ones once each (by seq), custom ones (typing…) as they come. */
  notification: SystemNotification;
  /** The conversation list, after each login sync (and after the sync's messages were emitted). */
  conversations: ConversationSummary[];
  /**
   * A team notification (a type 5 message in a team: someone joined, left, was kicked, the team was
   * updated, muted, dismissed…), right after its `message` event: in order with the team's messages.
   */
  teamNotification: TeamNotification;
  /** A super team notification (ops 401–411), right after its `message` event, as teamNotification is for teams. */
  superTeamNotification: SuperTeamNotification;
}

/** A super team notification as the SDK emits it: NIM's op id (401–411) and data. */
export interface SuperTeamNotification {
  tid: string;
  seq: number;
  time: number;
  op: SuperTeamNotificationBody["id"];
  data: SuperTeamNotificationBody["data"];
}

/** A team notification as the SDK emits it: NIM's op id and data, and where it stands in the team. */
export interface TeamNotification {
  tid: string;
  seq: number;
  time: number;
  op: TeamNotificationBody["id"];
  data: TeamNotificationBody["data"];
}

/** What the messenger needs from the client it is part of. */
export interface MessengerHost {
  request<T>(type: string, body?: unknown, options?: { timeoutMs?: number }): Promise<T>;
  connected(): boolean;
  closed(): boolean;
  /** The logged-in device: its account (lower-cased, as the server names conversations), type and id. */
  self(): Pick<SessionInfo, "accid" | "clientType" | "deviceId">;
  emit<K extends keyof MessagingClientEvents>(name: K, payload: MessagingClientEvents[K]): void;
  /** A background failure the app should hear about (the client's `error` event). */
  fail(code: number, desc: string): void;
}

export interface SendOptions {
  ext?: string;
  option?: MessageOption;
  /** Your own id for the message, e.g. to resend one saved before the app restarted; a UUID otherwise. */
  clientMsgId?: string;
}

export type HistoryOptions = Partial<Omit<HistoryRequest, "peer">>;

/** Attempts at a login sync on a live link before the app hears an `error`. */
const SYNC_ATTEMPTS = 3;
const SYNC_TIMEOUT_MS = 30_000;
/** The server's page size for history, used for gap fills too. */
const HISTORY_PAGE = 100;
/**
 * Cursors a sync names at most: the most recently active ones. All of them could outgrow the
 * server's frame limit (64 KiB) for an account with thousands of conversations; one left out only
 * counts as cursor 0 on the server, and what it then sends again is dropped here by seq.
 */
const SYNC_CURSORS_MAX = 500;

/**
 * P2P messaging inside a NimbusClient: requests, the outbox that resends unacknowledged messages
 * with the same clientMsgId, and the login sync.
 *
 * Pushes and the sync overlap by design (the server subscribes the device first, then it syncs), so
 * from the moment a link drops until the sync after the next login is applied every messaging push
 * is held; the sequencer then lets through, per conversation, only what is newer than what the app
 * already has. A resume that lost nothing (`welcome.lost === 0`) needs no sync: its buffered pushes
 * simply go on.
 */
export class Messenger {
  private readonly outbox: Outbox;
  private readonly sequencer: Sequencer;
  private readonly notifications: NotificationFeed;
  private readonly broadcasts: BroadcastFeed;
  private needsSync = true;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly host: MessengerHost,
    initial: Partial<SyncState> = {},
  ) {
    this.outbox = new Outbox({ request: (t, b) => host.request(t, b), connected: () => host.connected() });
    this.sequencer = new Sequencer(
      { emit: (m) => this.emitMessage(m), fill: (conv, from, to) => this.fill(conv, from, to) },
      initial.cursors ?? {},
    );
    this.notifications = new NotificationFeed(
      (n) => host.emit("notification", n),
      initial.notificationCursor ?? 0,
      initial.teamNotificationCursors ?? {},
    );
    this.broadcasts = new BroadcastFeed((b) => host.emit("broadcast", b), initial.broadcastCursor ?? 0);
  }

  private emitMessage(m: Message): void {
    this.host.emit("message", m);
    if (m.type === NOTIFICATION_TYPE && isGroupConv(m.conv)) {
      const body = m.body as unknown as TeamNotificationBody | SuperTeamNotificationBody;
      if (typeof body.id === "number" && isObject(body.data)) {
        const n = { tid: m.to, seq: m.seq, time: m.time, data: body.data };
        if (isTeamConv(m.conv)) this.host.emit("teamNotification", { ...n, op: body.id as TeamNotificationBody["id"] });
        else this.host.emit("superTeamNotification", { ...n, op: body.id as SuperTeamNotificationBody["id"] });
      }
    }
  }

  syncState(): SyncState {
    return {
      cursors: this.sequencer.snapshot(),
      notificationCursor: this.notifications.notificationCursor,
      teamNotificationCursors: this.notifications.teamNotificationCursors,
      broadcastCursor: this.broadcasts.broadcastCursor,
    };
  }

  /** Resolves once the sync under way (if any) is done. */
  synced(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** A push from the server (the client passes every user event here). */
  onPush(type: string, body: unknown): void {
    switch (type) {
      case MessagingEvents.MESSAGE:
        if (isMessage(body)) this.sequencer.offer(body);
        break;
      case MessagingEvents.RECALL:
        if (isRecall(body)) this.host.emit("recall", body);
        break;
      case MessagingEvents.DELETE:
        if (isRecall(body) && isSeq(body.seq)) this.host.emit("deleted", body as DeleteEvent);
        break;
      case MessagingEvents.SESSION_REMOVED:
        if (isObject(body) && typeof body.conv === "string") this.host.emit("sessionRemoved", body as unknown as SessionRemovedEvent);
        break;
      case MessagingEvents.RECEIPT:
        if (isReceipt(body)) this.host.emit("receipt", body);
        break;
      case MessagingEvents.NOTIFICATION:
        if (isNotification(body)) this.notifications.offer(body);
        break;
      case SIGNAL_EVENT:
        if (isSignal(body)) this.host.emit("signal", body);
        break;
      case BROADCAST_EVENT:
        if (isBroadcast(body)) this.broadcasts.offer(body);
        break;
    }
  }

  /** Welcomed after a login (`resumed` false) or a resume. */
  onOnline({ resumed, lost }: { resumed: boolean; lost: number }): void {
    if (!resumed || lost > 0) this.needsSync = true;
    this.outbox.flush();
    if (this.needsSync) void this.sync();
    else this.release();
  }

  /** The link dropped: hold pushes until it is clear whether a sync comes first. */
  onOffline(): void {
    this.sequencer.pause();
    this.notifications.pause();
    this.broadcasts.pause();
  }

  /** The client is closed for good. */
  onClosed(): void {
    this.outbox.fail(new NimbusClientError(ClientCodes.NOT_CONNECTED, "the client is closed"));
  }

  send(to: string, type: MessageType, body: Record<string, unknown>, options: SendOptions = {}): Promise<SendAck> {
    if (this.host.closed()) return Promise.reject(new NimbusClientError(ClientCodes.NOT_CONNECTED, "the client is closed"));
    // Refused here as the server would refuse it (414): sent, a `__proto__` key would reach the
    // server renamed by its decoder, and this device would show the message unlike the peer.
    const shape = jsonShapeProblem(body);
    if (shape) return Promise.reject(new NimbusClientError(Codes.PARAM_ERROR.code, `body${shape.path}: ${shape.problem}`));
    const req: SendRequest = {
      to,
      type,
      body,
      clientMsgId: options.clientMsgId ?? newClientMsgId(),
      ...(options.ext !== undefined && { ext: options.ext }),
      ...(options.option !== undefined && { option: options.option }),
    };
    const me = this.host.self();
    // `to` is an account (p2p) or a group's conversation id, `team:<tid>` / `superteam:<tid>`.
    const conv = isGroupConv(to) ? to : conversationOf(me.accid, to.toLowerCase());
    this.sequencer.sending(conv);
    return this.outbox.submit(req).then(
      (ack) => {
        // The server does not push a message back to the device that sent it: the ack brings it here.
        this.sequencer.offer(sentMessage(req, ack, me));
        this.sequencer.sent(conv);
        return ack;
      },
      (err: unknown) => {
        this.sequencer.sent(conv);
        throw err;
      },
    );
  }

  recall(peer: string, msgid: number): Promise<RecallEvent> {
    return this.host.request(MessagingRequests.RECALL, { peer, msgid } satisfies RecallRequest);
  }

  markRead(peer: string, seq: number): Promise<ReadReceipt> {
    return this.host.request(MessagingRequests.MARK_READ, { peer, seq } satisfies MarkReadRequest);
  }

  history(peer: string, options: HistoryOptions = {}): Promise<Message[]> {
    const req: HistoryRequest = { peer, limit: HISTORY_PAGE, order: "desc", ...options };
    return this.host.request(MessagingRequests.HISTORY, req);
  }

  conversations(options: ConversationsRequest = {}): Promise<ConversationSummary[]> {
    return this.host.request(MessagingRequests.CONVERSATIONS, options);
  }

  notify(to: string, attach: string): Promise<SystemNotification> {
    return this.host.request(MessagingRequests.NOTIFY, { to, attach } satisfies NotifyRequest);
  }

  /** Runs a sync now, or once more after the one under way. */
  private sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again && this.host.connected());
    })().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async syncOnce(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // Offline now: the next login or resume syncs (needsSync is still set).
      if (!this.host.connected()) return;
      const req: SyncRequest = {
        cursors: this.sequencer.recent(SYNC_CURSORS_MAX),
        notificationCursor: this.notifications.notificationCursor,
        teamNotificationCursors: this.notifications.teamNotificationCursors,
      };
      try {
        const result = await this.host.request<SyncResult>(MessagingRequests.SYNC, req, { timeoutMs: SYNC_TIMEOUT_MS });
        this.needsSync = false;
        this.sequencer.applySync(result.messages ?? {});
        this.notifications.applySync(result.notifications ?? []);
        const stored = await this.host.request<Broadcast[]>(BROADCASTS_REQUEST, { cursor: this.broadcasts.broadcastCursor });
        this.broadcasts.applySync(Array.isArray(stored) ? stored.filter(isBroadcast) : []);
        this.release();
        this.host.emit("conversations", result.conversations ?? []);
        return;
      } catch (err) {
        if (!this.host.connected()) return;
        const e = err instanceof NimbusClientError ? err : new NimbusClientError(500, String(err));
        if (attempt >= SYNC_ATTEMPTS) {
          // Let pushes through rather than hold them forever; the next login or resume tries again.
          this.release();
          this.host.fail(e.code, `login sync failed: ${e.message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)));
      }
    }
  }

  private release(): void {
    this.sequencer.resume();
    this.notifications.resume();
    this.broadcasts.resume();
  }

  /** A gap in the pushes of `conv`: its newest missing messages, from history. */
  private async fill(conv: string, fromSeq: number, toSeq: number): Promise<Message[]> {
    const limit = Math.min(HISTORY_PAGE, toSeq - fromSeq + 1);
    const peer = isGroupConv(conv) ? conv : peerOf(conv, this.host.self().accid);
    // isMessage let only conversations of this account (or teams it is in) through.
    if (peer === undefined) return [];
    return this.history(peer, { fromSeq, toSeq, limit, order: "desc" });
  }
}

/** A team's conversation id, `team:<tid>`. */
function isTeamConv(conv: string): boolean {
  return parseConversation(conv)?.kind === "team";
}

/** A team's or a super team's conversation id. */
function isGroupConv(conv: string): boolean {
  const kind = parseConversation(conv)?.kind;
  return kind === "team" || kind === "superteam";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Pushes are checked before they reach the sequencer: a malformed one must not corrupt the cursors. */
function isMessage(v: unknown): v is Message {
  return (
    isObject(v) &&
    typeof v.conv === "string" &&
    parseConversation(v.conv) !== undefined &&
    isSeq(v.seq) &&
    v.seq > 0 &&
    typeof v.msgid === "number"
  );
}

function isRecall(v: unknown): v is RecallEvent {
  return isObject(v) && typeof v.conv === "string" && typeof v.msgid === "number";
}

function isReceipt(v: unknown): v is ReadReceipt {
  return isObject(v) && typeof v.conv === "string" && typeof v.reader === "string" && isSeq(v.seq);
}

function isNotification(v: unknown): v is SystemNotification {
  return isObject(v) && typeof v.from === "string" && typeof v.attach === "string" && isSeq(v.seq) && typeof v.stored === "boolean";
}

function isSignal(v: unknown): v is SignalEvent {
  return isObject(v) && typeof v.channelId === "string" && (SignalEventTypes as readonly unknown[]).includes(v.type);
}

function isBroadcast(v: unknown): v is Broadcast {
  return isObject(v) && typeof v.broadcastId === "number" && isSeq(v.seq) && v.seq > 0 && typeof v.body === "string";
}

/** The message a send stored, as the server would push it, from the request and its ack. */
function sentMessage(req: SendRequest, ack: SendAck, me: Pick<SessionInfo, "accid" | "clientType" | "deviceId">): Message {
  return {
    conv: ack.conv,
    seq: ack.seq,
    msgid: ack.msgid,
    clientMsgId: ack.clientMsgId,
    from: me.accid,
    to: isGroupConv(req.to) ? req.to.slice(req.to.indexOf(":") + 1) : req.to.toLowerCase(),
    time: ack.time,
    type: req.type,
    body: req.body,
    ...(req.ext !== undefined && { ext: req.ext }),
    ...(req.option !== undefined && { option: req.option }),
    fromClientType: me.clientType,
    fromDeviceId: me.deviceId,
  };
}
