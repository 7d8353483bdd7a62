import type { CustomEventChange } from "../../src/protocol/presence-events.ts";
import type { MuteModules, Profile, UserRecord } from "../../src/contracts/user.ts";
import type { TokenHash } from "./token.ts";
import type { DeviceRecord, LoginEvent } from "./devices.ts";

/** The last `user/block`, kept for the realtime link (kick notification) and for audits. */
export interface BlockInfo {
  needkick: boolean;
  kickNotifyExt: string;
  needUnbindPushToken: boolean;
  at: number;
}

/** Everything the user actor keeps about one account; `record` is the part others may read. */
export interface Account {
  record: UserRecord;
  /** NIM's deprecated `props` JSON, kept verbatim and shown nowhere. */
  props: string;
  token: TokenHash;
  lastBlock: BlockInfo | null;
  blacklist: string[];
  mutelist: string[];
}

/** `account` is null until `create`: an actor exists for any address, an account only once made. */
export interface UserState {
  account: Account | null;
  /** Logged-in devices across the cluster (absent in snapshots from before the realtime link). */
  devices?: DeviceRecord[];
  /** The latest logins and logouts, newest last, for data sync and status subscriptions. */
  logins?: LoginEvent[];
  /** Changes of the online state so far (PresenceChange.seq of the last one), and when it was. */
  presenceSeq?: number;
  presenceAt?: number;
  /** The seq of the last custom event published (CustomEventChange.seq). */
  customEventSeq?: number;
  /** The newest custom event of each type broadcast online and offline, while valid (custom-events.ts). */
  customEvents?: CustomEventChange[];
}

export const PROFILE_KEYS = [
  "name",
  "icon",
  "sign",
  "email",
  "birth",
  "mobile",
  "gender",
  "ex",
] as const satisfies readonly (keyof Profile)[];
export const MUTE_MODULE_KEYS = ["muteP2P", "muteTeam", "muteRoom", "muteQChat"] as const satisfies readonly (keyof MuteModules)[];

const EMPTY_PROFILE: Profile = { name: "", icon: "", sign: "", email: "", birth: "", mobile: "", gender: 0, ex: "" };

/**
 * The given fields of a partial profile. An absent field — `undefined`, or `null` after a trip
 * through msgpack — leaves the stored value alone; "" is a value (it clears).
 */
export function profilePatch(fields: Partial<Profile>): Partial<Profile> {
  const patch: Partial<Profile> = {};
  for (const key of PROFILE_KEYS) {
    const v = fields[key];
    if (v !== undefined && v !== null) Object.assign(patch, { [key]: v });
  }
  return patch;
}

export function muteModulesPatch(flags: Partial<MuteModules>): Partial<MuteModules> {
  const patch: Partial<MuteModules> = {};
  for (const key of MUTE_MODULE_KEYS) {
    const v = flags[key];
    if (typeof v === "boolean") patch[key] = v;
  }
  return patch;
}

export function newAccount(accid: string, profile: Partial<Profile>, props: string, token: TokenHash, now: number): Account {
  return {
    record: {
      accid,
      ...EMPTY_PROFILE,
      ...profilePatch(profile),
      muteP2P: false,
      muteTeam: false,
      muteRoom: false,
      muteQChat: false,
      valid: true,
      mute: false,
      donnop: false,
      createdAt: now,
      updatedAt: now,
    },
    props,
    token,
    lastBlock: null,
    blacklist: [],
    mutelist: [],
  };
}

/** A new account value with `patch` applied to its public record. */
export function withRecord(account: Account, patch: Partial<Omit<UserRecord, "accid" | "createdAt">>, now: number): Account {
  return { ...account, record: { ...account.record, ...patch, updatedAt: now } };
}

/** A copy, so an in-process caller cannot reach into the actor's state. */
export function publicRecord(account: Account): UserRecord {
  return { ...account.record };
}

export function muteModulesOf(record: UserRecord): MuteModules {
  return { muteP2P: record.muteP2P, muteTeam: record.muteTeam, muteRoom: record.muteRoom, muteQChat: record.muteQChat };
}
