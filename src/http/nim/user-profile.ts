import { z } from "zod";
import type { UserRecord } from "../../contracts/user.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { ACCID_PATTERN } from "../../protocol/accid.ts";
import { accid, bool, intEnum, jsonArray, text } from "./params.ts";
import { askUser } from "./user-ask.ts";

/** NIM's name-card limits (reference §3.2 and the seed limits). */
export const PROFILE_LIMITS = { name: 64, icon: 1024, sign: 256, email: 64, birth: 16, mobile: 32, ex: 1024 } as const;

/** getUinfos answers at most this many accounts per call, as NIM does. */
export const UINFOS_MAX = 200;

/** The name-card fields, shared by `user/create` and `user/updateUinfo`; "" clears (gender "" is 0). */
export const profileParams = {
  name: text(PROFILE_LIMITS.name).optional(),
  icon: text(PROFILE_LIMITS.icon).optional(),
  sign: text(PROFILE_LIMITS.sign).optional(),
  email: text(PROFILE_LIMITS.email).optional(),
  birth: text(PROFILE_LIMITS.birth).optional(),
  mobile: text(PROFILE_LIMITS.mobile).optional(),
  gender: intEnum([0, 1, 2], { emptyAs: 0 }).optional(),
  ex: text(PROFILE_LIMITS.ex).optional(),
};

/**
 * One NIM `uinfo`: every key always there, an unset profile string as "" (NIM's official SDKs read
 * each key, the Go one into a struct that has every field), mute flags included whether or not
 * `muteStatus` was asked for.
 */
export function uinfo(r: UserRecord): Record<string, unknown> {
  return {
    accid: r.accid,
    name: r.name,
    icon: r.icon,
    sign: r.sign,
    email: r.email,
    birth: r.birth,
    mobile: r.mobile,
    gender: r.gender,
    ex: r.ex,
    valid: r.valid,
    mute: r.mute,
    muteP2P: r.muteP2P,
    muteTeam: r.muteTeam,
    muteRoom: r.muteRoom,
    muteQChat: r.muteQChat,
  };
}

/** The distinct well-formed account ids of a list, lower-cased, in the caller's order. */
export function distinctAccids(list: readonly string[]): string[] {
  return [...new Set(list.filter((a) => ACCID_PATTERN.test(a)).map((a) => a.toLowerCase()))];
}

const updateUinfo = endpoint({
  module: "user",
  action: "updateUinfo",
  summary: 'Update an account\'s name card; a field sent as "" is cleared, one left out is kept',
  params: z.object({ accid: accid(), ...profileParams, bid: text(64).optional() }),
  async handler(ctx, p) {
    // `bid` names an anti-spam business; there is no anti-spam here, so it is accepted and unused.
    const { accid: id, bid: _bid, ...fields } = p;
    await askUser(ctx, id, { t: "updateUinfo", fields });
    return {};
  },
});

const getUinfos = endpoint({
  module: "user",
  action: "getUinfos",
  summary: `Name cards of up to ${UINFOS_MAX} accounts; accounts that do not exist are left out`,
  params: z.object({ accids: jsonArray(z.string({ error: "must be a string" }), UINFOS_MAX), muteStatus: bool().optional() }),
  async handler(ctx, p) {
    const records = await Promise.all(distinctAccids(p.accids).map((a) => askUser(ctx, a, { t: "get" })));
    return { uinfos: records.filter((r): r is UserRecord => r !== null).map(uinfo) };
  },
});

/** Name cards. */
export const profileEndpoints: readonly NimEndpoint[] = [updateUinfo, getUinfos];
