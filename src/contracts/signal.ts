import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { SignalEvent, SignalRoom, SignalRoomType } from "../protocol/signal.ts";

/**
 * A signalling room (`signal/<appKey>/<channelId>`, NIM signal/*): its members, their uids and the
 * invitations of the room, in one actor whose state is saved before it answers. It publishes each
 * event to the user subjects of the parties it concerns.
 */
export type SignalRoomProtocol = {
  create: { request: { channelName: string; type: SignalRoomType; creator: string; ext: string; ttlMs: number }; reply: SignalRoom };
  info: { request: object; reply: SignalRoom };
  delay: { request: { ttlMs: number }; reply: SignalRoom };
  close: { request: { from: string; attachExt: string }; reply: null };
  ctrl: { request: { from: string; to?: string; attachExt: string }; reply: null };
  invite: { request: { from: string; to: string; requestId: string; attachExt: string; save: boolean }; reply: null };
  cancel: { request: { from: string; to: string; requestId: string; attachExt: string }; reply: null };
  accept: {
    request: { by: string; deviceId: string; inviter: string; requestId: string; attachExt: string; join: boolean; uid?: number };
    reply: SignalRoom;
  };
  reject: { request: { by: string; inviter: string; requestId: string; attachExt: string }; reply: null };
  join: { request: { accid: string; deviceId: string; uid?: number; attachExt: string }; reply: SignalRoom };
  leave: { request: { accid: string; attachExt: string }; reply: null };
  kick: { request: { from: string; to: string; attachExt: string }; reply: null };
};
export type SignalRoomMessage = RequestOf<SignalRoomProtocol>;

/** Which room holds a channel name while the room lives (NIM: a name is unique among open rooms). */
export type SignalNameProtocol = {
  /** Takes the name for `channelId` until `expireAt` unless a live room holds it; answers the holder. */
  claim: { request: { channelId: string; expireAt: number }; reply: string };
  lookup: { request: object; reply: string | null };
  /** Lets the name go, if `channelId` holds it; `expireAt` moves with delayRoom. */
  release: { request: { channelId: string }; reply: null };
  extend: { request: { channelId: string; expireAt: number }; reply: null };
};
export type SignalNameMessage = RequestOf<SignalNameProtocol>;

/** Invitations stored for one account while it was offline (NIM isSave), until answered, cancelled or expired. */
export type SignalBoxProtocol = {
  add: { request: { event: SignalEvent; expireAt: number }; reply: null };
  remove: { request: { channelId: string; requestId: string }; reply: null };
  /** The open ones, oldest first. */
  list: { request: object; reply: SignalEvent[] };
};
export type SignalBoxMessage = RequestOf<SignalBoxProtocol>;

export const SIGNAL_ROOM_KIND = "signal";
export const SIGNAL_NAME_KIND = "signalname";
export const SIGNAL_BOX_KIND = "signalbox";

export function signalRoomAddress(appKey: string, channelId: string): ActorRef<SignalRoomProtocol> {
  return actorRef<SignalRoomProtocol>(SIGNAL_ROOM_KIND, appKey, channelId);
}

export function signalNameAddress(appKey: string, channelName: string): ActorRef<SignalNameProtocol> {
  return actorRef<SignalNameProtocol>(SIGNAL_NAME_KIND, appKey, channelName);
}

export function signalBoxAddress(appKey: string, accid: string): ActorRef<SignalBoxProtocol> {
  return actorRef<SignalBoxProtocol>(SIGNAL_BOX_KIND, appKey, accid);
}
