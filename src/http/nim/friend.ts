import { z } from "zod";
import type { FriendEntry } from "../../contracts/friends.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accid, bool, int, intEnum, text } from "./params.ts";
import {
  acceptRequest,
  addDirect,
  askFriends,
  rejectRequest,
  removeFriend,
  requireAccount,
  sendRequest,
} from "../../relations/friend-pairs.ts";

/**
 * NIM's `friend/*` (reference §3.3). Where NIM's documentation is silent Nimbus decides:
 * - `faccid` equal to `accid` (after lower-casing) is a parameter error: 414 naming `faccid`.
 * - An account that was never created: 404, desc `<param>: account <accid> does not exist`.
 * - Adding (type 1) an existing friend succeeds and changes nothing — it is also how a retry
 *   repairs a half-done add. A request (type 2) to an existing friend is 417.
 * - Accepting (3) or rejecting (4) when no request is pending: 404.
 * - A full list on either side (app limit `maxFriends`, NIM's 3,000): 419 naming the side, and
 *   nothing changes on either side. Pending requests do not count against it.
 * - Update, delete and getByAccid of someone who is not a friend: 404. An update that changes
 *   nothing succeeds and leaves updatetime alone. Delete and reject succeed when either side still
 *   had the friendship or request (so a retry finishes a half-done one); 404 when neither did.
 * - `serverex` of add applies to accid's entry when the add makes a friendship (types 1 and 3).
 * - `msg` is kept with a request (type 2); for the other types it is accepted and not stored.
 * - Friendships are always mutual here (types 1 and 3 make both sides), so `bidirection` is true.
 */

/** True unless `faccid` names `accid` itself. Typed loosely: the refined object's type is generic. */
function differ(p: object): boolean {
  return !("accid" in p && "faccid" in p) || p.accid !== p.faccid;
}

/** `accid` and `faccid`, which must name two different accounts. */
function pair<S extends z.ZodRawShape>(extra: S) {
  return z.object({ accid: accid(), faccid: accid(), ...extra }).refine(differ, { path: ["faccid"], message: "must not be accid itself" });
}

const ADD_TYPES = [1, 2, 3, 4] as const;

/** A friend as the API shows it. */
function view(f: FriendEntry) {
  return {
    faccid: f.faccid,
    alias: f.alias,
    ex: f.ex,
    serverex: f.serverex,
    bidirection: true,
    createtime: f.createtime,
    updatetime: f.updatetime,
  };
}

const add = endpoint({
  module: "friend",
  action: "add",
  summary: "Add a friend (1 direct), send a request (2), accept (3) or reject (4) one",
  params: pair({
    type: intEnum(ADD_TYPES).meta({ description: "1 direct add, 2 request, 3 accept, 4 reject" }),
    msg: text(256).optional(),
    serverex: text(256).optional(),
  }),
  async handler(ctx, p) {
    await Promise.all([requireAccount(ctx, "accid", p.accid), requireAccount(ctx, "faccid", p.faccid)]);
    switch (p.type) {
      case 1:
        await addDirect(ctx, p.accid, p.faccid, p.serverex);
        break;
      case 2:
        await sendRequest(ctx, p.accid, p.faccid, p.msg ?? "");
        break;
      case 3:
        await acceptRequest(ctx, p.accid, p.faccid, p.serverex);
        break;
      case 4:
        await rejectRequest(ctx, p.accid, p.faccid);
        break;
    }
    return {};
  },
});

const update = endpoint({
  module: "friend",
  action: "update",
  summary: 'Change the alias, ex or serverex accid keeps for a friend ("" clears)',
  params: pair({ alias: text(128).optional(), ex: text(256).optional(), serverex: text(256).optional() }),
  async handler(ctx, p) {
    await requireAccount(ctx, "accid", p.accid);
    const { updated } = await askFriends(ctx, p.accid, {
      t: "update",
      faccid: p.faccid,
      ...(p.alias !== undefined && { alias: p.alias }),
      ...(p.ex !== undefined && { ex: p.ex }),
      ...(p.serverex !== undefined && { serverex: p.serverex }),
    });
    if (!updated) throw new NimbusError("NOT_FOUND", `faccid: ${p.faccid} is not a friend of ${p.accid}`);
    return {};
  },
});

const remove = endpoint({
  module: "friend",
  action: "delete",
  summary: "End a friendship on both sides; accid keeps its alias unless isDeleteAlias",
  params: pair({ isDeleteAlias: bool().default(false) }),
  async handler(ctx, p) {
    await requireAccount(ctx, "accid", p.accid);
    await removeFriend(ctx, p.accid, p.faccid, p.isDeleteAlias);
    return {};
  },
});

const get = endpoint({
  module: "friend",
  action: "get",
  summary: "Friends of accid changed after updatetime (ms)",
  params: z.object({
    accid: accid(),
    updatetime: int(0, Number.MAX_SAFE_INTEGER).meta({ description: "ms since the epoch; friends changed after it" }),
    // Deprecated by NIM; accepted and ignored.
    createtime: int(0, Number.MAX_SAFE_INTEGER).optional(),
  }),
  async handler(ctx, p) {
    await requireAccount(ctx, "accid", p.accid);
    const friends = await askFriends(ctx, p.accid, { t: "list", since: p.updatetime });
    return { size: friends.length, friends: friends.map(view) };
  },
});

const getByAccid = endpoint({
  module: "friend",
  action: "getByAccid",
  summary: "One friend of accid",
  params: pair({}),
  async handler(ctx, p) {
    await requireAccount(ctx, "accid", p.accid);
    const friend = await askFriends(ctx, p.accid, { t: "get", faccid: p.faccid });
    if (!friend) throw new NimbusError("NOT_FOUND", `faccid: ${p.faccid} is not a friend of ${p.accid}`);
    return { friend: view(friend) };
  },
});

export const friendEndpoints: NimEndpoint[] = [add, update, remove, get, getByAccid];
