import { actorRef, type ActorRef, type RequestNamed, type RequestOf } from "../runtime/actor-ref.ts";
import type { DeviceRecord, MultiDevicePolicy } from "./devices.ts";
import type { CustomEventChange, PresenceChange, PublishEventRequest } from "../protocol/presence-events.ts";

/**
 * The user actor's messages (`user/<appKey>/<accid>`): the account, its token, its profile, its
 * bans and mutes, and its blacklist / mute list. Plain data, so they cross nodes as msgpack.
 */

export type Gender = 0 | 1 | 2;

/** The profile fields NIM calls the user's name card (uinfo). */
export interface Profile {
  name: string;
  icon: string;
  sign: string;
  email: string;
  birth: string;
  mobile: string;
  gender: Gender;
  ex: string;
}

export interface MuteModules {
  muteP2P: boolean;
  muteTeam: boolean;
  muteRoom: boolean;
  muteQChat: boolean;
}

/** What others may read about an account: `user/getUinfos` and the checks of other actors. */
export interface UserRecord extends Profile, MuteModules {
  accid: string;
  /** false while the account is blocked (NIM's `valid`). */
  valid: boolean;
  /** Global mute (`user/mute`). */
  mute: boolean;
  donnop: boolean;
  createdAt: number;
  updatedAt: number;
}

/**
 * The user actor's protocol: each request (beside its tag `t`) and what it answers. Plain data, so
 * requests cross nodes as msgpack.
 */
export type UserProtocol = {
  create: { request: { accid: string; token?: string; props?: string } & Partial<Profile>; reply: TokenInfo };
  update: { request: { token?: string; props?: string }; reply: null };
  refreshToken: { request: object; reply: TokenInfo };
  block: { request: { needkick: boolean; kickNotifyExt?: string; needUnbindPushToken?: boolean }; reply: null };
  unblock: { request: object; reply: null };
  mute: { request: { mute: boolean }; reply: null };
  muteModule: { request: Partial<MuteModules>; reply: MuteModules };
  setDonnop: { request: { donnopOpen: boolean }; reply: null };
  updateUinfo: { request: { fields: Partial<Profile> }; reply: null };
  /** null: no such account. */
  get: { request: object; reply: UserRecord | null };
  /** `max`: the app's cap on each list (default 3000); past it, 419. */
  setSpecialRelation: { request: { targetAcc: string; relationType: 1 | 2; value: 0 | 1; max?: number }; reply: null };
  listRelations: { request: object; reply: RelationLists };
  /**
   * May `from` send this account a p2p message? (null: no such account.) Asked by a send whose
   * recipient's actor is not active on its node; otherwise the send reads the actor's AdmissionView.
   */
  admits: { request: { from: string }; reply: Admission | null };
  /**
   * May this account send p2p messages now? (null: no such account.) Asked by a send whose
   * sender's actor is not active on its node (otherwise it reads the AdmissionView); `get` would
   * copy the whole record to say it.
   */
  standing: { request: object; reply: SenderStanding | null };
  /** The same for team messages (muted globally or for teams), asked likewise when its AdmissionView is not here. */
  teamStanding: { request: object; reply: SenderStanding | null };
  /**
   * The realtime link's login check. An unknown account answers `{ok: false, blocked: false}`
   * rather than 404, so login cannot tell it from a wrong token.
   */
  /** With `lockout`, wrong tokens are counted and too many lock the account's logins for a while. */
  verifyToken: { request: { token: string; lockout?: LoginLockoutPolicy }; reply: TokenCheck };
  /**
   * A device logged in (the gateway reports it): the policy may kick others, whose session ids it
   * answers. `retainDays`: how long the login event log keeps what this records (default 7).
   */
  deviceOnline: { request: { device: DeviceRecord; policy: MultiDevicePolicy; retainDays?: number }; reply: { kicked: string[] } };
  /** A device left for good, with NIM's logout reason. */
  deviceOffline: { request: { sessionId: string; reason: number; retainDays?: number }; reply: null };
  /** The login event log between two times (inclusive), oldest first (`asc`) or newest first. */
  loginEvents: { request: { fromTime: number; toTime: number; limit: number; order: "asc" | "desc" }; reply: LoginEventRecord[] };
  /** The devices online now, on live nodes only. */
  devices: { request: object; reply: DeviceRecord[] };
  /**
   * A node died (that incarnation: id and start time): its devices of this account are logged out
   * as disconnected (reason 2), which subscribers hear as a change. Idempotent; every surviving
   * node that watches this account for a subscriber may send it.
   */
  nodeGone: { request: { nodeId: string; startedAt: number; retainDays?: number }; reply: null };
  /** The online state now, for a subscriber's sync (null: no such account). */
  presence: { request: object; reply: PresenceChange | null };
  /** Publishes a custom event (eventType ≥ 100000) to its subscribers: one publish on the presence subject. */
  publishEvent: { request: { event: PublishEventRequest }; reply: CustomEventChange };
  /** The newest valid custom event of this type broadcast online and offline, for a subscriber's sync. */
  customEvent: { request: { eventType: number }; reply: CustomEventChange | null };
};

export type UserMessage = RequestOf<UserProtocol>;

/** One login or logout as the login event log keeps it (NIM data sync eventTypes 2 and 3). */
export interface LoginEventRecord {
  /** 2 login, 3 logout (NIM's data sync eventTypes). */
  eventType: 2 | 3;
  time: number;
  sessionId: string;
  deviceId: string;
  clientType: string;
  ip: string;
  sdkVersion?: string;
  customTag?: string;
  /** For a logout: 1 logout, 2 disconnect, 3 kicked by the user's other device, 4 by the policy, 5 by the app server. */
  reason?: number;
}

export interface RelationLists {
  blacklist: string[];
  mutelist: string[];
}

export interface Admission {
  /** `from` is on this account's blacklist: its messages are refused. */
  blacklisted: boolean;
}

/** Whether an account may send p2p messages: yes, not at all (blocked), or not now (muted). */
export type SenderStanding = "ok" | "blocked" | "muted";

/**
 * What a user actor shares with its node (ActorContext.share) once its account is saved: all a
 * send needs to know of its sender and its recipient, read without a mailbox turn.
 */
export interface AdmissionView {
  readonly standing: SenderStanding;
  /** Whether it may send team messages (`muteTeam` in place of `muteP2P`). */
  readonly teamStanding: SenderStanding;
  readonly blacklist: ReadonlySet<string>;
}

/** The sender's question of every send, made once: it carries nothing of its own. */
export const STANDING_QUESTION: RequestNamed<UserProtocol, "standing"> = Object.freeze({ t: "standing" });
export const TEAM_STANDING_QUESTION: RequestNamed<UserProtocol, "teamStanding"> = Object.freeze({ t: "teamStanding" });

/** The two answers to `admits`, made once. */
export const ADMITTED: Admission = Object.freeze({ blacklisted: false });
export const BLACKLISTED: Admission = Object.freeze({ blacklisted: true });

export interface TokenCheck {
  ok: boolean;
  /** The account is blocked (`valid` false); said whatever the token, the caller decides what to tell whom. */
  blocked: boolean;
  /** There is no such account (then `ok` is false): a login's one question answers NOT_FOUND too, without a `get` first. */
  missing?: true;
  /** > 0: too many wrong tokens lately; every login is refused for this much longer (`ok` is false). */
  lockedForMs: number;
}

/** How many wrong tokens an account takes, within what time, before its logins are refused, and for how long. */
export interface LoginLockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

/** Answer of create and refreshToken: the only times a token is shown. */
export interface TokenInfo {
  accid: string;
  token: string;
  name?: string;
}

export const USER_KIND = "user";

export function userAddress(appKey: string, accid: string): ActorRef<UserProtocol> {
  return actorRef<UserProtocol>(USER_KIND, appKey, accid);
}
