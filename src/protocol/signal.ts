/**
 * Signalling (NIM signal/*): rooms for setting up voice and video calls, and the invitations that
 * bring people into them. What devices are pushed and ask, shared by the server and the SDK; the
 * server API (signal/*.action) answers the same room shape under `data`.
 */

/** What happened in a room, as every party's devices are told (NIM's signalling event types). */
export const SignalEventTypes = ["INVITE", "CANCEL_INVITE", "ACCEPT", "REJECT", "JOIN", "LEAVE", "CLOSE", "CTRL", "KICK"] as const;
export type SignalEventType = (typeof SignalEventTypes)[number];

/** NIM's room types: 1 audio, 2 video, 3 custom. */
export type SignalRoomType = 1 | 2 | 3;

/**
 * How NIM names a room type in its answers and events. "VEDIO" is NIM's own spelling: NIM's Java
 * SDK's test of createRoom asserts it for type 2, and both SDKs read `type` as a string.
 */
export const SIGNAL_TYPE_NAMES = { 1: "AUDIO", 2: "VEDIO", 3: "CUSTOM" } as const satisfies Record<SignalRoomType, string>;

export interface SignalMember {
  accid: string;
  /** The member's media uid in the room (unique within it). */
  uid: number;
  deviceId: string;
  createTime: number;
  expireTime: number;
}

/** A room with NIM's field names (NIM's Java and Go SDKs read these under `data`). */
export interface SignalRoom {
  channelId: string;
  channelName: string;
  /** "AUDIO" | "VEDIO" | "CUSTOM" (SIGNAL_TYPE_NAMES). */
  type: string;
  creator: string;
  ext: string;
  channelCreateTime: number;
  channelExpireTime: number;
  members: SignalMember[];
}

/** The push (type `signal`) each party's devices get. */
export interface SignalEvent {
  type: SignalEventType;
  channelId: string;
  channelName: string;
  channelType: string;
  /** Who acted: the inviter, the invitee who answered, the member who joined or left, the app server's `from`. */
  from: string;
  /** Whom it is for, when one account (an invitation, its answer, a kick, a control to one member). */
  to?: string;
  requestId?: string;
  attachExt?: string;
  /** JOIN: the member's uid. */
  uid?: number;
  time: number;
}

export const SIGNAL_EVENT = "signal";

/** Device requests; each answers as noted (PROTOCOL.md §12). */
export const SignalRequests = {
  /** `{channelId, uid?, attachExt?}` → SignalRoom. */
  JOIN: "signal.join",
  /** `{channelId, attachExt?}` → null. */
  LEAVE: "signal.leave",
  /** `{channelId, to, requestId, attachExt?, save?}` → null; the invitee's devices get INVITE. */
  INVITE: "signal.invite",
  /** `{channelId, to, requestId, attachExt?}` → null. */
  CANCEL: "signal.cancel",
  /** `{channelId, from, requestId, attachExt?, join?, uid?}` → SignalRoom; with join, the device joins too. */
  ACCEPT: "signal.accept",
  /** `{channelId, from, requestId, attachExt?}` → null. */
  REJECT: "signal.reject",
  /** `{channelId}` → SignalRoom. */
  ROOM: "signal.room",
  /** `{}` → SignalEvent[]: the invitations stored while this account was offline, still open, oldest first. */
  OFFLINE: "signal.offline",
} as const;
