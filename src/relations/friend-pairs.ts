import { friendsAddress, type FriendsMessage, type FriendsProtocol, type LinkReply } from "../contracts/friends.ts";
import { userAddress } from "../contracts/user.ts";
import type { ReplyOf } from "../runtime/actor-ref.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { Logger } from "pino";
import type { App } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";

/**
 * The two-sided friend operations. Each asks the two users' friends actors one after the other —
 * never one actor asking the other inside its turn, which deadlocks when two do it to each other.
 *
 * - Every step is idempotent, so when a step fails for an unknown reason (timeout, node lost) the
 *   error goes back to the caller and a retry of the same request completes the operation.
 * - When the second step is refused for a known reason (the other side's list is full) the first
 *   step is compensated, so the refusal changes nothing on either side.
 */

/** What a friend operation runs in: the calling app, the actor system, and a log for what went wrong. */
export interface FriendsScope {
  app: App;
  system: ActorSystem;
  log: Logger;
}

/** The NIM parameter naming each side, for error descs. */
type Side = "accid" | "faccid";

export function askFriends<M extends FriendsMessage>(ctx: FriendsScope, accid: string, m: M): Promise<ReplyOf<FriendsProtocol, M>> {
  return ctx.system.ask(friendsAddress(ctx.app.appKey, accid), m);
}

/** 404 naming the parameter and the account when `accid` was never created. */
export async function requireAccount(ctx: FriendsScope, side: Side, accid: string): Promise<void> {
  const record = await ctx.system.ask(userAddress(ctx.app.appKey, accid), { t: "get" });
  if (!record) throw new NimbusError("NOT_FOUND", `${side}: account ${accid} does not exist`);
}

function listFull(ctx: FriendsScope, side: Side, accid: string): NimbusError {
  return new NimbusError("QUANTITY_LIMIT", `${side}: ${accid} already has ${ctx.app.limits.maxFriends} friends, the most allowed`);
}

/**
 * Puts the first side back after the second refused. If that fails too, the pair is left half
 * linked: the caller gets the failure (not the refusal) so it knows the state is not as before.
 */
async function undoFirstSide(ctx: FriendsScope, accid: string, faccid: string, first: LinkReply): Promise<void> {
  if (first.outcome !== "created") return; // it was there before this request: not ours to undo
  try {
    await askFriends(ctx, accid, { t: "undoLink", faccid, restore: first.dropped });
  } catch (err) {
    ctx.log.error({ err, accid, faccid }, "friend add: compensation failed; the pair is linked on one side only");
    throw err;
  }
}

/** The second side of an add: `faccid` links `accid`, or the first side is undone. */
async function linkSecondSide(ctx: FriendsScope, accid: string, faccid: string, first: LinkReply): Promise<void> {
  const second = await askFriends(ctx, faccid, { t: "link", faccid: accid, limit: ctx.app.limits.maxFriends });
  if (second.outcome !== "full") return;
  await undoFirstSide(ctx, accid, faccid, first);
  throw listFull(ctx, "faccid", faccid);
}

/** Type 1: both become friends at once. Adding an existing friend succeeds and changes nothing. */
export async function addDirect(ctx: FriendsScope, accid: string, faccid: string, serverex: string | undefined): Promise<void> {
  const limit = ctx.app.limits.maxFriends;
  const first = await askFriends(ctx, accid, { t: "link", faccid, limit, ...(serverex !== undefined && { serverex }) });
  if (first.outcome === "full") throw listFull(ctx, "accid", accid);
  await linkSecondSide(ctx, accid, faccid, first);
}

/** Type 2: `accid` asks `faccid`; nobody is a friend yet. A resend refreshes msg and time. */
export async function sendRequest(ctx: FriendsScope, accid: string, faccid: string, msg: string): Promise<void> {
  const sent = await askFriends(ctx, accid, { t: "sendRequest", to: faccid, msg });
  if (sent.outcome === "alreadyFriends") throw new NimbusError("DUPLICATE_OPERATION", `faccid: ${faccid} is already a friend of ${accid}`);
  await askFriends(ctx, faccid, { t: "receiveRequest", from: accid, msg });
}

/** Type 3: `accid` accepts the request `faccid` sent it; both become friends. */
export async function acceptRequest(ctx: FriendsScope, accid: string, faccid: string, serverex: string | undefined): Promise<void> {
  const limit = ctx.app.limits.maxFriends;
  const first = await askFriends(ctx, accid, { t: "accept", from: faccid, limit, ...(serverex !== undefined && { serverex }) });
  if (first.outcome === "noRequest") throw new NimbusError("NOT_FOUND", `faccid: ${faccid} has no pending friend request to ${accid}`);
  if (first.outcome === "full") throw listFull(ctx, "accid", accid);
  await linkSecondSide(ctx, accid, faccid, first);
}

/** Type 4: `accid` turns down `faccid`'s request; it is gone on both sides. */
export async function rejectRequest(ctx: FriendsScope, accid: string, faccid: string): Promise<void> {
  const here = await askFriends(ctx, accid, { t: "dropRequest", peer: faccid, side: "incoming" });
  const there = await askFriends(ctx, faccid, { t: "dropRequest", peer: accid, side: "outgoing" });
  // Either half found: a request existed (a retry finds only the half the first try missed).
  if (!here.removed && !there.removed) throw new NimbusError("NOT_FOUND", `faccid: ${faccid} has no pending friend request to ${accid}`);
}

/** Ends the friendship on both sides; `faccid` keeps its alias for `accid` whatever `deleteAlias` says. */
export async function removeFriend(ctx: FriendsScope, accid: string, faccid: string, deleteAlias: boolean): Promise<void> {
  const here = await askFriends(ctx, accid, { t: "unlink", faccid, deleteAlias });
  const there = await askFriends(ctx, faccid, { t: "unlink", faccid: accid, deleteAlias: false });
  if (!here.removed && !there.removed) throw new NimbusError("NOT_FOUND", `faccid: ${faccid} is not a friend of ${accid}`);
}
