import { actorRef, type ActorRef, type RequestNamed, type RequestOf } from "../runtime/actor-ref.ts";
/**
 * The friends actor's messages (`friends/<appKey>/<accid>`): one user's side of every friendship,
 * the friend requests it sent and received, and the aliases it kept after a delete. Plain data, so
 * they cross nodes as msgpack.
 *
 * Two-sided operations (add, accept, reject, delete) are orchestrated by the caller, which asks
 * the two users' actors one after the other; an actor never asks another inside its turn (two
 * doing it to each other would deadlock). So every mutating message is idempotent — a retried
 * half-done operation repairs itself — and expected refusals (a full list, no such request) are
 * answers, not exceptions, so the caller can decide whether to compensate.
 */

/** One friend as this user sees it. Every field the server API shows, "" when unset. */
export interface FriendEntry {
  faccid: string;
  alias: string;
  ex: string;
  serverex: string;
  createtime: number;
  updatetime: number;
}

/** A friend request between this user and `peer`, in one direction. */
export interface PendingRequest {
  peer: string;
  msg: string;
  /** When it was (last) sent, ms. */
  time: number;
}

/** An alias this user gave a friend it deleted: it comes back if they become friends again. */
export interface KeptAlias {
  faccid: string;
  alias: string;
}

/**
 * The persisted state. Lists rather than objects keyed by account: an accid may be `__proto__`,
 * which msgpack refuses as a map key, and a list of at most a few thousand is fast enough to scan.
 */
export interface FriendsState {
  friends: FriendEntry[];
  /** Requests others sent to this user, waiting for its answer. */
  incoming: PendingRequest[];
  /** Requests this user sent, waiting for the peer's answer. */
  outgoing: PendingRequest[];
  keptAliases: KeptAlias[];
  /** The last timestamp handed out: stamps only grow, so `updatetime` works as a sync cursor. */
  clock: number;
}

/** Requests dropped because the pair became friends: given back if that is undone. */
export interface DroppedRequests {
  incoming?: PendingRequest;
  outgoing?: PendingRequest;
}

export type LinkReply =
  /** `dropped`: the requests between the pair, gone now that they are friends. */
  | { outcome: "created"; dropped: DroppedRequests }
  | { outcome: "existing" }
  /** The list holds `limit` friends already; nothing changed. */
  | { outcome: "full" };

export type AcceptReply = LinkReply | { outcome: "noRequest" };

export type SendRequestReply = { outcome: "recorded" } | { outcome: "alreadyFriends" };

/** What each message answers. */
export interface FriendsReplies {
  link: LinkReply;
  accept: AcceptReply;
  undoLink: { undone: boolean };
  unlink: { removed: boolean };
  sendRequest: SendRequestReply;
  receiveRequest: { outcome: "recorded" };
  dropRequest: { removed: boolean };
  /** false: not a friend. */
  update: { updated: boolean };
  get: FriendEntry | null;
  list: FriendEntry[];
}

/** The friends actor's protocol: each request (beside its tag `t`) and its reply from FriendsReplies. */
export type FriendsProtocol = {
  /** Make `faccid` a friend (idempotent); requests between the pair are dropped. */
  link: { request: { faccid: string; limit: number; serverex?: string }; reply: FriendsReplies["link"] };
  /** Like link, but only if `from` has a request pending here (or is a friend already). */
  accept: { request: { from: string; limit: number; serverex?: string }; reply: FriendsReplies["accept"] };
  /** Compensation for a link or accept whose other side failed: as if it never happened. */
  undoLink: { request: { faccid: string; restore: DroppedRequests }; reply: FriendsReplies["undoLink"] };
  /** End the friendship on this side; the alias is kept unless `deleteAlias`. */
  unlink: { request: { faccid: string; deleteAlias: boolean }; reply: FriendsReplies["unlink"] };
  sendRequest: { request: { to: string; msg: string }; reply: FriendsReplies["sendRequest"] };
  receiveRequest: { request: { from: string; msg: string }; reply: FriendsReplies["receiveRequest"] };
  dropRequest: { request: { peer: string; side: "incoming" | "outgoing" }; reply: FriendsReplies["dropRequest"] };
  /** `undefined` fields stay as they are; "" clears. */
  update: { request: { faccid: string; alias?: string; ex?: string; serverex?: string }; reply: FriendsReplies["update"] };
  get: { request: { faccid: string }; reply: FriendsReplies["get"] };
  /** Friends whose updatetime is after `since` (ms). */
  list: { request: { since: number }; reply: FriendsReplies["list"] };
};

export type FriendsMessage = RequestOf<FriendsProtocol>;
export type FriendsMessageOf<T extends FriendsMessage["t"]> = RequestNamed<FriendsProtocol, T>;

export const FRIENDS_KIND = "friends";

export function friendsAddress(appKey: string, accid: string): ActorRef<FriendsProtocol> {
  return actorRef<FriendsProtocol>(FRIENDS_KIND, appKey, accid);
}
