import { randomUUID } from "node:crypto";
import { matchMaker, ServerError, type MessageContext } from "@colyseus/core";
import type { Logger } from "pino";
import { z } from "zod";
import type { AppRegistry } from "../apps/registry.ts";
import type { Bus } from "../bus/port.ts";
import type { ChatroomService } from "../chatrooms/service.ts";
import { chatroomAddress } from "../contracts/chatroom.ts";
import {
  CHATROOM_ROOM_NAME,
  CHATROOM_SLOW_CLOSE,
  ChatroomDelivery,
  ChatroomFrames,
  ChatroomKickReason,
  chatroomBroadcastSubject,
  chatroomSubject,
  decodeChatroomBody,
  decodeChatroomEnvelope,
  encodeChatroomEvent,
  type ChatroomControl,
  type ChatroomKicked,
  type ChatroomWelcome,
} from "../protocol/chatroom.ts";
import { NimbusError } from "../protocol/errors.ts";
import { CloseCodes } from "../protocol/link.ts";
import { text } from "../protocol/text-schema.ts";
import type { ActorSystem } from "../runtime/system.ts";
import {
  ChatroomRoom,
  type ChatroomClient,
  type ChatroomGrant,
  type ChatroomRoomCreateOptions,
  type ChatroomRoomDelegate,
  type MemberGrant,
} from "./chatroom-room.ts";
import { chatroomRoleType } from "../chatrooms/sync.ts";
import { chatroomRequestHandlers, type ChatroomRequestHandler } from "./chatroom-requests.ts";
import { pushFrameOf } from "./frames.ts";
import type { LoginGrant } from "./login-grant.ts";
import type { SeatReservation } from "./matchmake-routes.ts";
import { OutgoingBudget } from "./outgoing-budget.ts";
import { FrameRateLimiter } from "./rate-limit.ts";
import type { SubjectTable } from "./subject-table.ts";

export interface ChatroomEdgeDeps {
  nodeId: string;
  /** This node's start time as membership knows it: the chat room actor counts only live nodes' members. */
  nodeStartedAt: number;
  apps: AppRegistry;
  system: ActorSystem;
  bus: Bus;
  chatrooms: ChatroomService;
  subjects: SubjectTable;
  log: Logger;
  seatReservationSeconds: number;
  /** Bytes that may wait for one member's socket before it is dropped (4415). */
  outgoingBufferBytes: number;
  /** Requests a member may send (sends, history, queue calls), sustained and as a burst, before 416: the gateway's frame rate. */
  ratePerSecond: number;
  rateBurst: number;
  /** The account's token check, with the gateway's login throttle: the same as an `im` login. */
  verifyLogin(body: unknown, ip: string): Promise<LoginGrant>;
}

/**
 * A chat room member's socket is bounded far below a device's: a room pushes to many members at
 * once, and a member that cannot keep up is better dropped (it re-enters and reads history) than
 * held with megabytes of a hot room waiting.
 */
export const CHATROOM_OUTGOING_BUFFER_MAX = 256 * 1024;
/** How often every room's online count is told again (a chat room actor that passivated forgot it). */
const ONLINE_REFRESH_MS = 15_000;
/** Online counts of one room are told at most this often. */
const ONLINE_REPORT_DELAY_MS = 200;

/** NIM: a high-priority message is written again to an account re-entering within this long. */
const HIGH_RESEND_MS = 30_000;
/** At most NIM's 10 high-priority messages a second for those 30 s. */
const HIGH_RESEND_KEPT = 300;
/** Accounts remembered as just left, per room: past this the oldest is forgotten. */
const LEFT_KEPT = 10_000;

/**
 * What a room's edge keeps for NIM's needHighPriorityMsgResend: its high-priority frames of the
 * last 30 s and when accounts left. Kept beside the edge, not in it, so a re-entry that makes a
 * fresh edge still finds it (while the node held the room's subject, it saw those frames).
 */
interface ResendWindow {
  high: { at: number; frame: Uint8Array }[];
  left: Map<string, number>;
}

/** Colyseus's close code for a client's own `leave()`. */
const CONSENTED_LEAVE = 4000;

/** NIM's logOutReason of data sync 9. */
type OutReason = "OFFLINE" | "KICK" | "LOGIN_KICK" | "EXIT";

const enterOptions = z.object({
  appKey: z.string({ error: "required" }).min(1, "required").max(64, "too long"),
  // A number, or its decimal string (some Colyseus SDKs send every option as a string).
  roomid: z
    .union(
      [
        z.number(),
        z
          .string()
          .regex(/^[1-9]\d{0,15}$/)
          .transform(Number),
      ],
      { error: "must be a chat room id" },
    )
    .pipe(z.number().int("must be a chat room id").positive("must be a chat room id").max(Number.MAX_SAFE_INTEGER)),
  /** Both absent: an anonymous entry, to watch only, when the app allows it. */
  accid: z.string().optional(),
  token: z.string().optional(),
  nick: text(64).optional(),
  avator: text(1024).optional(),
  ext: text(4096).optional(),
  clientType: z.string().optional(),
});

/** One chat room's edge on this node. */
interface LocalRoom {
  readonly key: string;
  readonly appKey: string;
  readonly roomid: number;
  readonly subject: string;
  readonly room: ChatroomRoom;
  readonly members: Map<string, ChatroomClient>;
  subscribed: Promise<void>;
  disposed: boolean;
  reportTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The chat room edges of one node (DESIGN "Chat rooms"): a client enters a room through a Colyseus
 * room of kind `chatroom` on the node it connects to. Entry is checked like a login (account and
 * token), then by the chat room actor (closed 13002, blacklisted 13003); the node holds the room's
 * bus subject `chatroom.<app>.<roomid>` while its edge has members, so the actor publishes each
 * message once for the whole cluster and each node gets it once.
 *
 * Fan-out: each event arrives with its push body already encoded; the edge builds the frame around
 * it once and writes the same bytes to every local member. Each member has a receive budget (the
 * app's `chatroomReceivePerSecond`, NIM's 20 a second): past it, normal messages of others are
 * dropped for that member; high-priority messages, notifications and the member's own messages
 * never are. A member whose socket has more than its bound waiting is dropped (4415).
 */
export class ChatroomEdges implements ChatroomRoomDelegate {
  private readonly rooms = new Map<string, LocalRoom>();
  private readonly creating = new Map<string, Promise<LocalRoom>>();
  private readonly resend = new Map<string, ResendWindow>();
  private readonly handlers: Map<string, ChatroomRequestHandler>;
  private readonly refresh: ReturnType<typeof setInterval>;
  /** Normal messages dropped by members' receive budgets on this node. */
  droppedByBudget = 0;
  /** Set by stop: nothing is told to the actors any more (they are being drained). */
  private stopped = false;

  constructor(private readonly deps: ChatroomEdgeDeps) {
    this.handlers = chatroomRequestHandlers({ apps: deps.apps, system: deps.system, chatrooms: deps.chatrooms });
    this.refresh = setInterval(() => {
      for (const local of this.rooms.values()) this.tellOnline(local);
      this.pruneResend(Date.now());
    }, ONLINE_REFRESH_MS);
    this.refresh.unref();
  }

  /** The matchmake of `joinOrCreate("chatroom", {appKey, roomid, accid, token, …})`: a seat in this node's edge of the room. */
  async enter(body: unknown, ip: string): Promise<SeatReservation> {
    const parsed = enterOptions.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new NimbusError("PARAM_ERROR", `${issue?.path.map(String).join(".") || "options"}: ${issue?.message ?? "invalid"}`);
    }
    const o = parsed.data;
    const grant = o.accid === undefined && o.token === undefined ? await this.anonymous(o.appKey, o.roomid) : await this.member(o, ip);
    if (o.nick !== undefined) grant.nick = o.nick;
    if (o.avator !== undefined) grant.avator = o.avator;
    if (o.ext !== undefined) grant.ext = o.ext;
    // The edge may be disposed between finding it and reserving the seat (its last member just
    // left): then a fresh one is made.
    for (let attempt = 0; ; attempt++) {
      const local = await this.localRoom(o.appKey, o.roomid);
      try {
        const listing = await matchMaker.getRoomById(local.room.roomId);
        if (!listing || local.disposed) throw new ServerError(522, "the room's edge was just disposed");
        return await matchMaker.reserveSeatFor(listing, {}, grant);
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
  }

  /** An account's entry: its token (as an `im` login), then the room's blacklist and state. */
  private async member(o: z.output<typeof enterOptions>, ip: string): Promise<ChatroomGrant> {
    const login = await this.deps.verifyLogin(
      { appKey: o.appKey, accid: o.accid, token: o.token, deviceId: `chatroom-${o.roomid}`, clientType: o.clientType ?? "WEB" },
      ip,
    );
    const entry = await this.deps.system.ask(chatroomAddress(o.appKey, o.roomid), {
      t: "enter",
      accid: login.accid,
      ...(o.nick !== undefined && { nick: o.nick }),
      ...(o.avator !== undefined && { avator: o.avator }),
      ...(o.ext !== undefined && { ext: o.ext }),
    });
    return { appKey: o.appKey, roomid: o.roomid, accid: login.accid, clientType: login.clientType, anonymous: false, ...entry };
  }

  /**
   * An anonymous viewer, when the app allows it: no account, so an id no account can have
   * (accids never hold ":"), and it may only watch (its sends and queue changes are refused 403).
   */
  private async anonymous(appKey: string, roomid: number): Promise<ChatroomGrant> {
    const app = this.deps.apps.get(appKey);
    if (!app) throw new NimbusError("FORBIDDEN", `unknown appKey ${appKey}`);
    if (!app.limits.chatroomAnonymous) throw new NimbusError("FORBIDDEN", "accid: required (this app does not allow anonymous entry)");
    const room = await this.deps.chatrooms.get(appKey, roomid);
    if (!room.valid) throw new NimbusError("CHATROOM_STATE", `roomid: chat room ${roomid} is closed`);
    return { appKey, roomid, accid: `anonymous:${randomUUID()}`, clientType: "WEB", anonymous: true, role: "ANONYMOUS", muted: true, room };
  }

  /** Members on this node, and rooms with an edge here. */
  stats(): { rooms: number; members: number; droppedByBudget: number } {
    let members = 0;
    for (const local of this.rooms.values()) members += local.members.size;
    return { rooms: this.rooms.size, members, droppedByBudget: this.droppedByBudget };
  }

  /** Closes every member (4001: enter again, on any node). */
  async stop(): Promise<void> {
    clearInterval(this.refresh);
    this.stopped = true;
    for (const local of this.rooms.values()) clearTimeout(local.reportTimer);
    await Promise.all([...this.rooms.values()].map((local) => local.room.disconnect(CloseCodes.SERVER_SHUTDOWN).catch(() => undefined)));
  }

  // ---- the room lifecycle (ChatroomRoomDelegate) -------------------------------------------

  created(room: ChatroomRoom): void {
    const [appKey, id] = splitKey(room.key);
    const subject = chatroomSubject(appKey, id);
    const local: LocalRoom = {
      key: room.key,
      appKey,
      roomid: Number(id),
      subject,
      room,
      members: new Map(),
      subscribed: Promise.resolve(),
      disposed: false,
      reportTimer: undefined,
    };
    local.subscribed = Promise.all([
      this.deps.subjects.hold(subject, (data) => this.deliver(local, data)),
      // Held once per local room of the app: the subscription lives while any of them does.
      this.deps.subjects.hold(chatroomBroadcastSubject(appKey), (data) => this.broadcast(appKey, data)),
    ]).then(() => undefined);
    this.rooms.set(room.key, local);
    for (const [type, handler] of this.handlers) {
      room.onMessage(type, (client: ChatroomClient, body: unknown, ctx: MessageContext) => {
        const answer = this.run(handler, client, body);
        if (ctx.id !== undefined) return answer;
        answer.catch((err: NimbusError) => client.error(err.code, err.message));
        return undefined;
      });
    }
    // Production Colyseus closes the socket (4002) on a type nobody handles: answer it instead.
    room.onMessage("*", (client: ChatroomClient, type: string | number) =>
      client.error(509, `unknown message type ${JSON.stringify(type)}`),
    );
  }

  join(room: ChatroomRoom, client: ChatroomClient, grant: ChatroomGrant): void {
    const local = this.rooms.get(room.key);
    if (!local || local.room !== room) {
      client.leave(CloseCodes.SERVER_SHUTDOWN);
      return;
    }
    const { room: info, ...kept } = grant;
    client.auth = kept;
    client.userData = {
      grant: kept,
      second: 0,
      received: 0,
      dropped: 0,
      rate: new FrameRateLimiter(this.deps.ratePerSecond, this.deps.rateBurst),
    };
    local.members.set(client.sessionId, client);
    const bound = Math.min(this.deps.outgoingBufferBytes, CHATROOM_OUTGOING_BUFFER_MAX);
    OutgoingBudget.watch(client, bound, () => {
      this.deps.log.info({ roomid: local.roomid, accid: grant.accid }, "chat room member dropped: its socket fell behind");
      this.putOut(local, client, CHATROOM_SLOW_CLOSE);
    });
    const app = this.deps.apps.get(grant.appKey);
    const welcome: ChatroomWelcome = {
      roomid: grant.roomid,
      accid: grant.accid,
      sessionId: client.sessionId,
      nodeId: this.deps.nodeId,
      role: grant.role,
      muted: grant.muted,
      room: { ...info },
      receiveBudget: { normal: app?.limits.chatroomReceivePerSecond ?? 20, high: app?.limits.chatroomHighPriorityPerSecond ?? 10 },
      serverTime: Date.now(),
    };
    client.send(ChatroomFrames.WELCOME, welcome);
    this.resendTo(local.key, grant, client);
    // One client per account per room (unless the app allows more), cluster-wide: every edge puts
    // out this account's other clients.
    if (!grant.anonymous && !app?.limits.chatroomMultiClient) {
      const only: ChatroomControl = {
        op: "kick",
        accids: [grant.accid],
        keepSession: client.sessionId,
        reason: ChatroomKickReason.ENTERED_ELSEWHERE,
      };
      this.deps.bus.publish(local.subject, encodeChatroomEvent("control", only, ChatroomDelivery.CONTROL));
    }
    this.tellInOut(kept, "IN");
    this.scheduleReport(local);
  }

  leave(room: ChatroomRoom, client: ChatroomClient, code: number): void {
    const local = this.rooms.get(room.key);
    // A client that said goodbye (Colyseus's consented leave, a normal close) exited; any other close is a drop.
    if (local && local.room === room) this.forget(local, client, code === CONSENTED_LEAVE || code === 1000 ? "EXIT" : "OFFLINE");
  }

  /**
   * Ends a member now: it gets nothing more and counts no more, at once, while its socket closes
   * (a client that stopped reading would hold Colyseus's leave until the close handshake times out).
   */
  private putOut(local: LocalRoom, client: ChatroomClient, code: number, why: OutReason = "OFFLINE"): void {
    this.forget(local, client, why);
    client.leave(code);
  }

  /** Data sync 9 of a member's entry or exit, when the app wants it. */
  private tellInOut(grant: MemberGrant, event: "IN" | "OUT" | "KICK", why?: OutReason): void {
    const sync = this.deps.chatrooms.sync;
    if (!sync) return;
    sync.inOut(grant.appKey, {
      roomid: grant.roomid,
      accid: grant.accid,
      event,
      clientType: grant.clientType,
      roleType: chatroomRoleType(grant.role),
      anonymous: grant.anonymous,
      ...(why !== undefined && { logOutReason: why }),
      ...(grant.ext !== undefined && { ext: grant.ext }),
    });
  }

  /** The member is gone from this edge: the actor hears when it was the account's last client here. */
  private forget(local: LocalRoom, client: ChatroomClient, why: OutReason): void {
    if (!local.members.delete(client.sessionId)) return;
    const grant = client.userData?.grant;
    if (grant) this.tellInOut(grant, why === "KICK" ? "KICK" : "OUT", why);
    const accid = client.userData?.grant.anonymous === false ? client.userData.grant.accid : undefined;
    if (accid !== undefined && ![...local.members.values()].some((c) => c.userData?.grant.accid === accid)) {
      this.deps.system.tell(chatroomAddress(local.appKey, local.roomid), { t: "left", accid });
      this.rememberLeft(local.key, accid);
    }
    this.scheduleReport(local);
  }

  disposed(room: ChatroomRoom): void {
    const local = this.rooms.get(room.key);
    if (!local || local.room !== room) return;
    local.disposed = true;
    this.rooms.delete(room.key);
    clearTimeout(local.reportTimer);
    this.deps.subjects.release(local.subject);
    this.deps.subjects.release(chatroomBroadcastSubject(local.appKey));
    this.tellOnline(local);
  }

  // ---- delivery -----------------------------------------------------------------------------

  /** One event off the room's subject: one frame, written to every local member it is for. */
  private deliver(local: LocalRoom, data: Uint8Array): void {
    let env;
    try {
      env = decodeChatroomEnvelope(data);
    } catch (err) {
      this.deps.log.warn({ err, subject: local.subject }, "malformed chat room event dropped");
      return;
    }
    if (env.delivery === ChatroomDelivery.CONTROL) {
      this.control(local, decodeChatroomBody<ChatroomControl>(env.body));
      return;
    }
    const frame = pushFrameOf(env.type, env.body);
    const throttled = env.delivery === ChatroomDelivery.NORMAL;
    if (env.delivery === ChatroomDelivery.HIGH_RESEND && env.to === null) this.keepForResend(local.key, frame);
    const second = Math.floor(Date.now() / 1000);
    const budget = this.deps.apps.get(local.appKey)?.limits.chatroomReceivePerSecond ?? 20;
    const to = env.to === null ? undefined : new Set(env.to);
    for (const client of local.members.values()) {
      if (env.fromSession !== null && client.sessionId === env.fromSession) continue;
      const m = client.userData;
      if (!m || (to !== undefined && !to.has(m.grant.accid))) continue;
      if (throttled && m.grant.accid !== env.from) {
        if (m.second !== second) {
          m.second = second;
          m.received = 0;
        }
        if (m.received >= budget) {
          m.dropped++;
          this.droppedByBudget++;
          continue;
        }
        m.received++;
      }
      client.enqueueRaw(frame);
    }
  }

  private window(key: string): ResendWindow {
    let w = this.resend.get(key);
    if (!w) this.resend.set(key, (w = { high: [], left: new Map() }));
    return w;
  }

  private rememberLeft(key: string, accid: string): void {
    const w = this.window(key);
    w.left.delete(accid);
    w.left.set(accid, Date.now());
    if (w.left.size > LEFT_KEPT) w.left.delete(w.left.keys().next().value!);
  }

  private keepForResend(key: string, frame: Uint8Array): void {
    const w = this.window(key);
    w.high.push({ at: Date.now(), frame });
    if (w.high.length > HIGH_RESEND_KEPT) w.high.shift();
  }

  /** An account back within 30 s of leaving gets the high-priority messages it missed meanwhile, in order. */
  private resendTo(key: string, grant: MemberGrant, client: ChatroomClient): void {
    const w = this.resend.get(key);
    const leftAt = w?.left.get(grant.accid);
    if (!w || leftAt === undefined) return;
    w.left.delete(grant.accid);
    if (Date.now() - leftAt > HIGH_RESEND_MS) return;
    for (const h of w.high) if (h.at > leftAt) client.enqueueRaw(h.frame);
  }

  private pruneResend(now: number): void {
    for (const [key, w] of this.resend) {
      while (w.high.length > 0 && now - w.high[0]!.at > HIGH_RESEND_MS) w.high.shift();
      for (const [accid, at] of w.left) if (now - at > HIGH_RESEND_MS) w.left.delete(accid);
      if (w.high.length === 0 && w.left.size === 0) this.resend.delete(key);
    }
  }

  /** A broadcast to every room of the app: the same bytes to the members of each local room of it. */
  private broadcast(appKey: string, data: Uint8Array): void {
    for (const local of this.rooms.values()) if (local.appKey === appKey) this.deliver(local, data);
  }

  private control(local: LocalRoom, c: ChatroomControl): void {
    const accids = c.op === "kick" ? new Set(c.accids ?? []) : undefined;
    for (const client of [...local.members.values()]) {
      const accid = client.userData?.grant.accid;
      if (accids && (accid === undefined || !accids.has(accid))) continue;
      if (c.keepSession !== undefined && client.sessionId === c.keepSession) continue;
      const kicked: ChatroomKicked = { roomid: local.roomid, reason: c.reason };
      if (c.ext !== undefined) kicked.ext = c.ext;
      client.send(ChatroomFrames.KICKED, kicked);
      this.putOut(local, client, CloseCodes.KICKED, c.reason === ChatroomKickReason.ENTERED_ELSEWHERE ? "LOGIN_KICK" : "KICK");
    }
  }

  // ---- requests -----------------------------------------------------------------------------

  private async run(handler: ChatroomRequestHandler, client: ChatroomClient, body: unknown): Promise<unknown> {
    const m = client.userData;
    if (!m) throw new NimbusError("FORBIDDEN", "not in the room yet");
    if (!m.rate.take()) throw new NimbusError("RATE_LIMITED", "rate limited: slow down");
    try {
      return await handler({ grant: m.grant, sessionId: client.sessionId }, body);
    } catch (err) {
      if (err instanceof NimbusError) throw err;
      this.deps.log.error({ err, accid: m.grant.accid }, "chat room request failed");
      throw new NimbusError("INTERNAL");
    }
  }

  // ---- the room's edge and online counts ---------------------------------------------------

  private async localRoom(appKey: string, roomid: number): Promise<LocalRoom> {
    const key = `${appKey}/${roomid}`;
    const existing = this.rooms.get(key);
    if (existing && !existing.disposed) {
      await existing.subscribed;
      return existing;
    }
    let pending = this.creating.get(key);
    if (!pending) {
      const options: ChatroomRoomCreateOptions = { delegate: this, key, seatReservationSeconds: this.deps.seatReservationSeconds };
      pending = matchMaker
        .handleCreateRoom(CHATROOM_ROOM_NAME, options)
        .then(() => {
          const local = this.rooms.get(key);
          if (!local) throw new NimbusError("UNAVAILABLE", "the chat room edge could not be made");
          return local;
        })
        .finally(() => this.creating.delete(key));
      this.creating.set(key, pending);
    }
    const local = await pending;
    await local.subscribed;
    return local;
  }

  private scheduleReport(local: LocalRoom): void {
    if (this.stopped) return;
    local.reportTimer ??= setTimeout(() => {
      local.reportTimer = undefined;
      this.tellOnline(local);
    }, ONLINE_REPORT_DELAY_MS);
  }

  private tellOnline(local: LocalRoom): void {
    // After a stop the node's actors are draining; the counts of a stopped node stop counting anyway.
    if (this.stopped) return;
    this.deps.system.tell(chatroomAddress(local.appKey, local.roomid), {
      t: "online",
      nodeId: this.deps.nodeId,
      startedAt: this.deps.nodeStartedAt,
      count: local.disposed ? 0 : local.members.size,
    });
  }
}

function splitKey(key: string): [appKey: string, roomid: string] {
  const slash = key.lastIndexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}
