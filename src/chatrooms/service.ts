import type { App } from "../apps/registry.ts";
import { MessageFlags, type Journal } from "../store/port.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { NimbusError, refuse } from "../protocol/errors.ts";
import type { ChatroomMessage, ChatroomSendAck } from "../protocol/chatroom.ts";
import {
  chatroomAddress,
  chatroomOwnerAddress,
  type ChatroomInfoFields,
  type ChatroomSendInput,
  type ChatroomView,
} from "../contracts/chatroom.ts";
import { userAddress } from "../contracts/user.ts";
import { chatroomMessageOf, skipsHistory } from "../conversation/chatroom-entry.ts";
import { DAY_MS } from "../conversation/entry.ts";
import { scanJournal } from "../messaging/scan.ts";
import type { ChatroomQueueFacts, ChatroomSync } from "./sync.ts";

/** NIM's data sync eventType of a queue change. */
const QUEUE_SYNC_EVENT = 14;

export const CHATROOM_HISTORY_LIMIT_MAX = 200;

/** NIM's history/queryChatroomMsg: from `timetag` (0 = now), newest first unless `reverse` is 1. */
export interface ChatroomHistoryQuery {
  roomid: number;
  timetag: number;
  limit: number;
  /** 1 oldest first from timetag, 2 newest first back from it. */
  reverse: 1 | 2;
  types?: number[];
}

/**
 * Chat rooms as both edges use them. Chat room messages are not p2p or team messages under another
 * policy: a room has no per-member delivery or unread state, its mutes and roles live in the room's
 * own actor (which admits a send in the same turn that numbers it), and messages carry NIM's
 * `attach` text rather than a body object. So sends go straight to the room's actor, and history
 * reads the room's journal; what is shared with messaging is the journal walk (scan.ts).
 */
export class ChatroomService {
  constructor(
    private readonly system: ActorSystem,
    private readonly journal: Journal,
    /** The public addresses of the cluster's live nodes (NIM's requestAddr). */
    readonly liveAddresses: () => string[],
    /** The app server's data sync of chat rooms, on a node with hooks. */
    readonly sync?: ChatroomSync,
  ) {}

  /** Creates a room for `creator` (an existing account), within the app's rooms-per-creator limit. */
  async create(
    app: App,
    creator: string,
    info: ChatroomInfoFields,
    ionotify: boolean,
    delay?: { policy: 0 | 1 | 2; seconds: number },
  ): Promise<ChatroomView> {
    await this.requireAccount(app.appKey, creator, "creator");
    return this.system.ask(chatroomOwnerAddress(app.appKey, creator), {
      t: "create",
      info,
      ionotify,
      maxRooms: app.limits.chatroomsPerCreator,
      ...(delay && { delay }),
    });
  }

  /**
   * Data sync 14 of a queue change the room's actor made. The server API's changes are the
   * creator's unless they name an operator (NIM's rule), so only those read the room.
   */
  async queueChanged(
    appKey: string,
    roomid: number,
    f: Omit<ChatroomQueueFacts, "roomid" | "operator"> & { operator: string | null },
  ): Promise<void> {
    if (!this.sync?.wants(appKey, QUEUE_SYNC_EVENT)) return;
    const operator = f.operator ?? (await this.get(appKey, roomid)).creator;
    this.sync.queueChanged(appKey, { ...f, roomid, operator });
  }

  /** The room, 404 when it does not exist. */
  async get(appKey: string, roomid: number, needOnlineUserCount = false): Promise<ChatroomView> {
    const room = await this.system.ask(chatroomAddress(appKey, roomid), { t: "get", needOnlineUserCount });
    if (!room) throw new NimbusError("NOT_FOUND", `roomid: chat room ${roomid} does not exist`);
    return room;
  }

  /** The ids of the rooms `creator` made. */
  roomsOf(appKey: string, creator: string): Promise<number[]> {
    return this.system.ask(chatroomOwnerAddress(appKey, creator), { t: "list" });
  }

  async requireAccount(appKey: string, accid: string, field: string): Promise<void> {
    const record = await this.system.ask(userAddress(appKey, accid), { t: "get" });
    if (!record) throw new NimbusError("NOT_FOUND", `${field}: account ${accid} does not exist`);
  }

  /** A checked message (validate.ts) into the room: mutes, blacklist and a closed room answer NIM's 13004, 13003, 13002. */
  async send(app: App, roomid: number, input: ChatroomSendInput): Promise<ChatroomSendAck> {
    const address = chatroomAddress(app.appKey, roomid);
    const topic = this.sync?.messageTopic(app.appKey, address);
    const ack = await this.system.ask(address, {
      t: "send",
      input,
      retainDays: app.limits.chatroomHistoryDays,
      highPriorityPerSecond: app.limits.chatroomHighPriorityPerSecond,
      ...(topic !== undefined && { sync: topic }),
    });
    if (topic !== undefined && !ack.duplicate) this.sync?.queued(topic);
    // A resend is the same message by the same sender (the room refuses another sender's reuse of
    // the id), so the message is the input with what the room gave it.
    const message: ChatroomMessage = {
      roomid,
      seq: ack.seq,
      msgid: ack.msgid,
      clientMsgId: ack.clientMsgId,
      from: input.from,
      time: ack.time,
      type: input.type,
      attach: input.attach,
    };
    if (input.ext) message.ext = input.ext;
    if (input.fromNick) message.fromNick = input.fromNick;
    if (input.fromAvator) message.fromAvator = input.fromAvator;
    if (input.fromClientType) message.fromClientType = input.fromClientType;
    if (input.highPriority) message.highPriority = true;
    return { message, duplicate: ack.duplicate };
  }

  /** The room's history within its retention: recalled messages as markers, never what was sent with skipHistory. */
  async history(app: App, q: ChatroomHistoryQuery): Promise<ChatroomMessage[]> {
    if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > CHATROOM_HISTORY_LIMIT_MAX) {
      refuse("limit", `must be an integer from 1 to ${CHATROOM_HISTORY_LIMIT_MAX}`);
    }
    const now = Date.now();
    const cutoff = now - app.limits.chatroomHistoryDays * DAY_MS;
    const types = q.types && q.types.length > 0 ? new Set(q.types) : undefined;
    const asc = q.reverse === 1;
    const bounds = asc
      ? { fromTime: Math.max(q.timetag, cutoff), order: "asc" as const }
      : { fromTime: cutoff, toTime: q.timetag === 0 ? now : q.timetag, order: "desc" as const };
    const entries = await scanJournal(
      this.journal,
      chatroomAddress(app.appKey, q.roomid),
      bounds,
      (e) => !skipsHistory(e) && (e.flags & MessageFlags.DELETED) === 0 && (types === undefined || types.has(e.type)),
      q.limit,
    );
    return entries.map((e) => chatroomMessageOf(q.roomid, e));
  }
}
