import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { ChatroomMessage, ChatroomSendAck } from "../protocol/chatroom.ts";
import type { SendAck } from "../protocol/messages.ts";

/**
 * The chat room actor's protocol (`chatroom/<appKey>/<roomid>`): the room's info, its fixed members
 * and their roles, mutes, the queue, and its journal (the actor's address is the journal's key).
 * Online members are not here: each node's room edge holds its own and reports only counts
 * (`online`), so a room with 100,000 viewers is not 100,000 writes.
 *
 * `operator` null is the app server acting with every right (a REST call that names nobody);
 * otherwise the account must hold the role NIM asks for.
 */

/** The room's editable info, as NIM's `chatroom/create` and `update` name it. */
export interface ChatroomInfoFields {
  name: string;
  announcement: string;
  broadcasturl: string;
  ext: string;
  /** 0 anyone in the room may change the queue, 1 managers and the creator only. */
  queuelevel: 0 | 1;
}

/** The room as NIM answers it (`chatroom` of create/get/update). */
export interface ChatroomView extends ChatroomInfoFields {
  roomid: number;
  creator: string;
  valid: boolean;
  muted: boolean;
  ionotify: boolean;
  onlineusercount?: number;
  /** NIM's delayed close: `{delayCloseEnable, delayClosePolicy, delaySeconds, status, startTime}`. */
  delayInfo: Record<string, unknown>;
}

/** A fixed member (or a guest, for queries) as NIM's membersByPage / queryMembers answer it. */
export interface ChatroomMemberView {
  roomid: number;
  accid: string;
  nick: string;
  avator: string;
  ext: string;
  /** CREATOR, MANAGER, COMMON, GUEST (not fixed), LIMITED (blacklisted). */
  type: string;
  /** NIM's member level (0 unless set). */
  level: number;
  onlineStat: boolean;
  enterTime: number;
  blacklisted: boolean;
  muted: boolean;
  tempMuted: boolean;
  /** Seconds of the temporary mute left. */
  tempMuteTtl: number;
  isRobot: boolean;
  robotExpirAt: number;
}

/** What an entry is told: the member's standing, and the room. */
export interface ChatroomEntryGrant {
  role: string;
  muted: boolean;
  room: ChatroomView;
}

/** A message a member or the app server sends, checked by the service. */
export interface ChatroomSendInput {
  from: string;
  clientMsgId: string;
  type: number;
  attach: string;
  ext?: string;
  highPriority?: boolean;
  /** NIM's needHighPriorityMsgResend false: a high-priority message not written again to members re-entering within 30 s. */
  noHighPriorityResend?: boolean;
  skipHistory?: boolean;
  fromNick?: string;
  fromAvator?: string;
  fromClientType?: string;
  /** The room edge session that sent it (not pushed back to it). */
  fromSession?: string;
}

/** Who acts, with which limits on notifications. */
export interface ChatroomNotifyOptions {
  needNotify?: boolean;
  notifyExt?: string;
}

export type ChatroomProtocol = {
  create: {
    request: { creator: string; info: ChatroomInfoFields; ionotify: boolean; delay?: { policy: 0 | 1 | 2; seconds: number } };
    reply: ChatroomView;
  };
  get: { request: { needOnlineUserCount?: boolean }; reply: ChatroomView | null };
  update: {
    request: { operator: string | null; info: Partial<ChatroomInfoFields> } & ChatroomNotifyOptions;
    reply: ChatroomView;
  };
  /** Opens (valid true) or closes the room; creator only. Closing removes every online member. */
  toggleClose: { request: { operator: string; valid: boolean }; reply: ChatroomView };
  setInOutNotification: { request: { ionotify: boolean }; reply: ChatroomView };
  /** NIM's delayed close: policy 0 none, 1 close `seconds` from now, 2 close after `seconds` with nobody in. */
  setDelayClose: { request: { policy: 0 | 1 | 2; seconds: number }; reply: ChatroomView };
  /** The actor's own timer (ctx.schedule): is the delayed close due? */
  delayCheck: { request: { due: number }; reply: null };
  /** NIM opt: 1 manager, 2 normal (fixed) member, -1 blacklist, -2 mute; optvalue true sets, false unsets. */
  setRole: {
    request: { operator: string | null; target: string; opt: 1 | 2 | -1 | -2; optvalue: boolean; notifyExt?: string };
    reply: { roomid: number; level: number; accid: string; type: string };
  };
  /** Seconds; 0 lifts it. */
  tempMute: {
    request: { operator: string | null; target: string; seconds: number } & ChatroomNotifyOptions;
    reply: { muteDuration: number };
  };
  muteRoom: { request: { operator: string | null; mute: boolean } & ChatroomNotifyOptions; reply: { success: true } };
  kick: { request: { operator: string | null; target: string; notifyExt?: string }; reply: null };
  /** A client entering through a room edge on `nodeId`: refused when the room is closed or it is blacklisted. */
  enter: { request: { accid: string; nick?: string; avator?: string; ext?: string }; reply: ChatroomEntryGrant };
  /** A client left (the last of that account on `nodeId`): its transient queue elements go, and the room hears it when ionotify. */
  left: { request: { accid: string }; reply: null };
  /** How many members `nodeId` (started at `startedAt`) holds now. */
  online: { request: { nodeId: string; startedAt: number; count: number }; reply: null };
  /** `retainDays`: how long the journal keeps it (the app's chat room history). */
  /** `sync`: the data sync outbox topic the message's append queues it in (eventType 4), when the app wants it. */
  send: { request: { input: ChatroomSendInput; retainDays: number; highPriorityPerSecond: number; sync?: string }; reply: SendAck };
  /** By the sender's msgid (or clientMsgId); `operator` null is the app server. */
  recall: {
    request: { operator: string | null; from: string; msgid?: number; clientMsgId?: string; time?: number; notifyExt?: string };
    reply: null;
  };
  queueInit: { request: { sizeLimit: number }; reply: null };
  /** `operator` null: the app server (as the creator). `member`: a client in the room, held to queuelevel. */
  queueOffer: {
    request: { operator: string | null; key: string; value: string; transient: boolean; member: boolean };
    reply: null;
  };
  queuePoll: { request: { operator: string | null; key: string; member: boolean }; reply: { key: string; value: string } | null };
  queueList: { request: object; reply: { key: string; value: string }[] };
  queueDrop: { request: { operator: string | null }; reply: null };
  queueBatchUpdate: {
    request: { operator: string | null; elements: [string, string][] } & ChatroomNotifyOptions;
    reply: { noExistElementKey: string[] };
  };
  members: { request: { accids: string[] }; reply: ChatroomMemberView[] };
  /** NIM type 0 fixed members, 2 online fixed members; newest first from `endtime` (0 = now). */
  membersByPage: { request: { type: 0 | 1 | 2; endtime: number; limit: number }; reply: ChatroomMemberView[] };
  addRobots: {
    request: { accids: string[]; roleExt?: string; notifyExt?: string };
    reply: { successAccids: string[]; failAccids: string[]; oldAccids: string[] };
  };
  removeRobots: { request: { accids: string[] }; reply: { successAccids: string[]; failAccids: string[] } };
  cleanRobots: { request: { notify: boolean }; reply: { size: number } };
  queueMultiGet: { request: { keys: string[] }; reply: { key: string; value: string }[] };
  /**
   * NIM's queueBatchOffer: offers in order in one change (a key already queued is updated in place);
   * what does not fit the queue's size limit is answered in `failedKeys`, the rest is kept.
   */
  queueBatchOffer: {
    request: { elements: { key: string; value: string; operator: string | null; transient: boolean }[] } & ChatroomNotifyOptions;
    reply: { failedKeys: string[]; offered: { key: string; value: string }[] };
  };
  /** Fixed members (and the flagged) by role: NIM's queryMembersByRole. */
  membersByRole: {
    request: { creator: boolean; manager: boolean; blacklist: boolean; mute: boolean; tempMute: boolean };
    reply: ChatroomMemberView[];
  };
  /** A member's own nick, avatar and ext: saved for a fixed member when `save`; the room hears 316 unless needNotify is false. */
  updateMyRole: {
    request: { accid: string; nick?: string; avator?: string; ext?: string; save: boolean } & ChatroomNotifyOptions;
    reply: null;
  };
  /** NIM's deleteHistoryMessage: the message `from` sent at `time` no longer shows in history. */
  deleteHistory: { request: { from: string; time: number }; reply: null };
  /**
   * A message to some members only (NIM sendMsgToSomeone): published to the room for those
   * accounts' clients, never stored (history is the whole room's). Answers its msgid and time.
   */
  sendToSome: { request: { input: ChatroomSendInput; to: string[] }; reply: ChatroomMessage };
};

export type ChatroomRequest = RequestOf<ChatroomProtocol>;

export const CHATROOM_KIND = "chatroom";

/** The chat room's actor; its address is also its journal's conversation key. */
export function chatroomAddress(appKey: string, roomid: number): ActorRef<ChatroomProtocol> {
  return actorRef<ChatroomProtocol>(CHATROOM_KIND, appKey, String(roomid));
}

/**
 * The rooms one account created (`chatroomOwner/<appKey>/<accid>`): it hands out room ids from the
 * cluster-wide sequence and holds NIM's 200-rooms-per-creator limit, one turn at a time.
 */
export type ChatroomOwnerProtocol = {
  create: {
    request: {
      info: ChatroomProtocol["create"]["request"]["info"];
      ionotify: boolean;
      maxRooms: number;
      delay?: { policy: 0 | 1 | 2; seconds: number };
    };
    reply: ChatroomView;
  };
  list: { request: object; reply: number[] };
  /** A message from this account to every room of the app (NIM chatroom/broadcast): numbered, published once, never stored. */
  broadcast: { request: { input: ChatroomSendInput }; reply: ChatroomMessage };
};

export const CHATROOM_OWNER_KIND = "chatroomOwner";

export function chatroomOwnerAddress(appKey: string, accid: string): ActorRef<ChatroomOwnerProtocol> {
  return actorRef<ChatroomOwnerProtocol>(CHATROOM_OWNER_KIND, appKey, accid);
}

export type { ChatroomMessage, ChatroomSendAck };
