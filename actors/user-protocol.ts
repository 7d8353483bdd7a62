import type { DeviceRecord, MultiDevicePolicy } from "./user-devices.ts";
import type { LoginLockoutPolicy } from "./user-login-lockout.ts";

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

export type UserMessage =
  | ({ t: "create"; accid: string; token?: string; props?: string } & Partial<Profile>)
  | { t: "update"; token?: string; props?: string }
  | { t: "refreshToken" }
  | { t: "block"; needkick: boolean; kickNotifyExt?: string; needUnbindPushToken?: boolean }
  | { t: "unblock" }
  | { t: "mute"; mute: boolean }
  | ({ t: "muteModule" } & Partial<MuteModules>)
  | { t: "setDonnop"; donnopOpen: boolean }
  | { t: "updateUinfo"; fields: Partial<Profile> }
  /** Answers `UserRecord | null` (null: no such account). */
  | { t: "get" }
  /** `max`: the app's cap on each list (default 3000); past it, 419. */
  | { t: "setSpecialRelation"; targetAcc: string; relationType: 1 | 2; value: 0 | 1; max?: number }
  /** Answers `RelationLists`. */
  | { t: "listRelations" }
  /**
   * Answers `Admission | null` (null: no such account): may `from` send this account a p2p
   * message? Asked by a send whose recipient's actor is not active on its node; otherwise the
   * send reads the actor's AdmissionView.
   */
  | { t: "admits"; from: string }
  /**
   * Answers `SenderStanding | null` (null: no such account): may this account send p2p messages
   * now? Asked by a send whose sender's actor is not active on its node (otherwise it reads the
   * AdmissionView); `get` would copy the whole record to say it.
   */
  | { t: "standing" }
  /**
   * Answers `TokenCheck`: the realtime link's login check. An unknown account answers
   * `{ok: false, blocked: false}` rather than 404, so login cannot tell it from a wrong token.
   * With `lockout`, wrong tokens are counted and too many lock the account's logins for a while.
   */
  | { t: "verifyToken"; token: string; lockout?: LoginLockoutPolicy }
  /** A device logged in (the gateway reports it): the policy may kick others. Answers `{ kicked: sessionIds }`. */
  | { t: "deviceOnline"; device: DeviceRecord; policy: MultiDevicePolicy }
  /** A device left for good, with NIM's logout reason. */
  | { t: "deviceOffline"; sessionId: string; reason: number }
  /** Answers `DeviceRecord[]`: the devices online now, on live nodes only. */
  | { t: "devices" };

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
  readonly blacklist: ReadonlySet<string>;
}

/** The sender's question of every send, made once: it carries nothing of its own. */
export const STANDING_QUESTION: UserMessage = Object.freeze({ t: "standing" });

/** The two answers to `admits`, made once. */
export const ADMITTED: Admission = Object.freeze({ blacklisted: false });
export const BLACKLISTED: Admission = Object.freeze({ blacklisted: true });

export interface TokenCheck {
  ok: boolean;
  blocked: boolean;
  /** > 0: too many wrong tokens lately; every login is refused for this much longer (`ok` is false). */
  lockedForMs: number;
}

/** Answer of create and refreshToken: the only times a token is shown. */
export interface TokenInfo {
  accid: string;
  token: string;
  name?: string;
}

export const USER_KIND = "user";
export const FRIENDS_KIND = "friends";

export function userAddress(appKey: string, accid: string): string {
  return `${USER_KIND}/${appKey}/${accid}`;
}

export function friendsAddress(appKey: string, accid: string): string {
  return `${FRIENDS_KIND}/${appKey}/${accid}`;
}
