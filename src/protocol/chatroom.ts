import { Packr } from "msgpackr";

/**
 * The chat room wire, shared by the chat room actor (publisher), the room edges (gateway) and the
 * SDK: the Colyseus room name, what a client sends and receives in a room, NIM's notification
 * kinds, and the bus envelope of `chatroom.<app>.<roomid>`. Plain constants, types and msgpackr:
 * the SDK runs in browsers.
 */

/** The Colyseus room kind a client enters a chat room through (`joinOrCreate("chatroom", …)`). */
export const CHATROOM_ROOM_NAME = "chatroom";

/** The room's bus subject: every node with a local member of the room holds it. */
export function chatroomSubject(appKey: string, roomid: number | string): string {
  return `chatroom.${appKey}.${roomid}`;
}

/**
 * Broadcasts to every chat room of the app (NIM's chatroom/broadcast): a node holds it while it has
 * an edge of any room of the app, and writes each broadcast once to all its members in them. The
 * message's `roomid` is 0 and its `seq` 0: it is no room's, so no room's history keeps it.
 */
export function chatroomBroadcastSubject(appKey: string): string {
  return `chatroom.${appKey}.all`;
}

/** The matchmake body of a chat room entry: an account and its token (the same token as the `im` login). */
export interface ChatroomEnterOptions {
  appKey: string;
  roomid: number;
  /** With `token`; both absent: an anonymous entry, to watch only, where the app allows it. */
  accid?: string;
  token?: string;
  /** Shown to the room with this member's messages (NIM `nick`, `avator`, `ext`); not stored unless fixed. */
  nick?: string;
  avator?: string;
  ext?: string;
  clientType?: string;
}

/** A chat room message as members and history see it (NIM `chatroom/sendMsg`'s answer, with our seq). */
export interface ChatroomMessage {
  roomid: number;
  /** 1, 2, 3… in the room's journal. */
  seq: number;
  msgid: number;
  /** The sender's id for the message (NIM `msgId` / `msgid_client`). */
  clientMsgId: string;
  from: string;
  time: number;
  /** 0 text, 1 image, 2 audio, 3 video, 4 location, 6 file, 10 tip, 100 custom. */
  type: number;
  /** The text (type 0) or the JSON attachment, as NIM's `attach`. */
  attach: string;
  ext?: string;
  fromNick?: string;
  fromAvator?: string;
  fromClientType?: string;
  highPriority?: boolean;
  /** Recalled: kept as a marker without its attach. */
  recalled?: boolean;
}

/** What a send answers: the message as stored, and whether it was a resend of a stored one. */
export interface ChatroomSendAck {
  message: ChatroomMessage;
  duplicate: boolean;
}

/**
 * NIM's chat room notification kinds (`attach.id` of a notification), as NIM's SDKs number them.
 */
export const ChatroomNotificationKind = {
  MEMBER_IN: 301,
  MEMBER_EXIT: 302,
  BLACKLIST_ADD: 303,
  BLACKLIST_REMOVE: 304,
  MUTE_ADD: 305,
  MUTE_REMOVE: 306,
  MANAGER_ADD: 307,
  MANAGER_REMOVE: 308,
  COMMON_ADD: 309,
  COMMON_REMOVE: 310,
  CLOSED: 311,
  INFO_UPDATED: 312,
  KICKED: 313,
  TEMP_MUTE_ADD: 314,
  TEMP_MUTE_REMOVE: 315,
  MY_ROLE_UPDATED: 316,
  QUEUE_CHANGE: 317,
  ROOM_MUTED: 318,
  ROOM_UNMUTED: 319,
  QUEUE_BATCH_CHANGE: 320,
  RECALL: 323,
} as const;
export type ChatroomNotificationKind = (typeof ChatroomNotificationKind)[keyof typeof ChatroomNotificationKind];

/** A notification to the room: who did it, to whom, and the kind's data. Not stored in history. */
export interface ChatroomNotification {
  roomid: number;
  id: ChatroomNotificationKind;
  operator: string;
  targets: string[];
  time: number;
  /** The app server's `notifyExt`. */
  ext?: string;
  /** Kind-specific: a queue change, a temp-mute duration, the updated info… */
  data?: Record<string, unknown>;
}

/** One change of the queue, in order; `QUEUE` pushes carry it. */
export interface ChatroomQueueChange {
  roomid: number;
  /** offer (added or updated), poll (removed), drop (emptied), batch (several updated), init (size changed). */
  op: "offer" | "poll" | "drop" | "batch" | "init" | "transientRemoved";
  key?: string;
  value?: string;
  elements?: Record<string, string>;
  operator: string;
  time: number;
}

/** Frames a room edge pushes to its members (Colyseus ROOM_DATA types). */
export const ChatroomFrames = {
  /** First frame after the join: {@link ChatroomWelcome}. */
  WELCOME: "crWelcome",
  MESSAGE: "crMessage",
  /** Also queue changes: notifications 317 and 320 carry them (NIM's way). */
  NOTIFICATION: "crNotification",
  /** This member is out of the room and must not re-enter by itself: {@link ChatroomKicked}. */
  KICKED: "crKicked",
} as const;

/** Requests a member sends in the room (Colyseus request/response). */
export const ChatroomRequests = {
  /** {@link ChatroomSendRequest} -> {@link ChatroomSendAck}. */
  SEND: "crSend",
  /** `{timetag?, limit, reverse?, types?}` -> ChatroomMessage[]. */
  HISTORY: "crHistory",
  /** `{key, value, transient?}` -> null. */
  QUEUE_OFFER: "crQueueOffer",
  /** `{key?}` -> {key, value} | null. */
  QUEUE_POLL: "crQueuePoll",
  /** `{}` -> [{key, value}]. */
  QUEUE_LIST: "crQueueList",
  /** `{}` -> the room's info. */
  INFO: "crInfo",
} as const;

export interface ChatroomSendRequest {
  clientMsgId: string;
  type: number;
  attach: string;
  ext?: string;
  highPriority?: boolean;
  skipHistory?: boolean;
  resend?: boolean;
  /** NIM's needHighPriorityMsgResend (default true): false, and a high-priority message is not written again to members re-entering within 30 s. */
  needHighPriorityMsgResend?: boolean;
}

/** Why a member is out: kicked by a manager or the app server, the room closed, blacklisted, entered elsewhere. */
export const ChatroomKickReason = {
  CLOSED: 1,
  KICKED: 2,
  BLACKLISTED: 3,
  /** The same account entered the room again (one client per account per room). */
  ENTERED_ELSEWHERE: 4,
  /** The member's socket could not keep up with the room. */
  SLOW: 5,
} as const;

export interface ChatroomKicked {
  roomid: number;
  reason: (typeof ChatroomKickReason)[keyof typeof ChatroomKickReason];
  ext?: string;
}

export interface ChatroomWelcome {
  roomid: number;
  accid: string;
  sessionId: string;
  nodeId: string;
  /** The member's standing: CREATOR, MANAGER, COMMON, GUEST. */
  role: string;
  muted: boolean;
  /** The room as it was when the member entered. */
  room: Record<string, unknown>;
  /** Receive budget per second: normal and high-priority messages; more normal ones are dropped. */
  receiveBudget: { normal: number; high: number };
  serverTime: number;
}

/** Close code of a member dropped for a send buffer that grew past its bound. */
export const CHATROOM_SLOW_CLOSE = 4415;

/** How an event on the room subject is treated by every edge. */
export const ChatroomDelivery = {
  /** A message, subject to each member's receive budget. */
  NORMAL: 0,
  /** A high-priority message or a notification: never dropped by the budget. */
  HIGH: 1,
  /** For the edges themselves (kick, close, one-entry policy); never pushed as is. */
  CONTROL: 2,
  /**
   * A high-priority message sent with NIM's `needHighPriorityMsgResend` (its default): as HIGH, and
   * an edge also writes it again to an account that re-enters within 30 s of leaving.
   */
  HIGH_RESEND: 3,
} as const;
export type ChatroomDelivery = (typeof ChatroomDelivery)[keyof typeof ChatroomDelivery];

/**
 * On the bus: `[frameType, body, delivery, from, fromSession, to?]`. `body` is the push body already encoded as
 * members decode it, so each edge builds the frame around the bytes once and writes it to every
 * local member; `from` is the sender's accid (their own messages are never dropped, and not pushed
 * back to the client that sent them), or nil.
 */
export interface ChatroomEnvelope {
  type: string;
  body: Uint8Array;
  delivery: ChatroomDelivery;
  from: string | null;
  /** The session that sent the message, not pushed back to it (its ack is the message). */
  fromSession: string | null;
  /** Only these accounts' clients get it (a message to some members); null = everyone. */
  to: string[] | null;
}

/** As user events: msgpackr without records, so NIM msgids stay plain numbers in every SDK. */
const packr = new Packr({ useRecords: false });

export function encodeChatroomEvent(
  type: string,
  body: object,
  delivery: ChatroomDelivery,
  from: string | null = null,
  fromSession: string | null = null,
  to: string[] | null = null,
): Uint8Array {
  return packr.pack(
    to === null ? [type, packr.pack(body), delivery, from, fromSession] : [type, packr.pack(body), delivery, from, fromSession, to],
  );
}

/** Throws on anything that is not an envelope. */
export function decodeChatroomEnvelope(bytes: Uint8Array): ChatroomEnvelope {
  const v: unknown = packr.unpack(bytes);
  if (!Array.isArray(v) || (v.length !== 5 && v.length !== 6))
    throw new Error("a chat room event must be [type, body, delivery, from, fromSession, to?]");
  const [type, body, delivery, from, fromSession, to] = v as unknown[];
  if (typeof type !== "string" || !(body instanceof Uint8Array)) throw new Error("a chat room event needs a type and an encoded body");
  if (delivery !== 0 && delivery !== 1 && delivery !== 2 && delivery !== 3) throw new Error("a chat room event's delivery must be 0 to 3");
  if (from !== null && typeof from !== "string") throw new Error("a chat room event's from must be nil or an accid");
  if (fromSession !== null && typeof fromSession !== "string") throw new Error("a chat room event's fromSession must be nil or a string");
  if (to !== undefined && (!Array.isArray(to) || !to.every((a) => typeof a === "string")))
    throw new Error("a chat room event's to must be a list of accids");
  return { type, body, delivery, from, fromSession, to: (to as string[] | undefined) ?? null };
}

export function decodeChatroomBody<T>(body: Uint8Array): T {
  return packr.unpack(body) as T;
}

/** Control events for the edges (delivery CONTROL). */
export interface ChatroomControl {
  /** kick: these accounts' clients leave (all but `keepSession`); close: every client leaves. */
  op: "kick" | "close";
  accids?: string[];
  keepSession?: string;
  reason: ChatroomKicked["reason"];
  ext?: string;
}
