import type {
  DroppedRequests,
  FriendEntry,
  FriendsMessageOf,
  FriendsReplies,
  FriendsState,
  PendingRequest,
} from "../../src/contracts/friends.ts";

/**
 * One user's friend book as pure transitions: each takes the current state and answers the reply
 * and, if anything changed, the next state. Nothing is mutated in place, so the actor can put the
 * old state back when saving fails, and a refusal can never leave half a change behind.
 */
export interface Transition<R> {
  reply: R;
  /** Absent when nothing changed: the actor then does not write. */
  next?: FriendsState;
}

export function emptyFriends(): FriendsState {
  return { friends: [], incoming: [], outgoing: [], keptAliases: [], clock: 0 };
}

/** A fresh timestamp, strictly after every earlier one of this user. */
function stamp(state: FriendsState, now: number): number {
  return Math.max(now, state.clock + 1);
}

function friendOf(state: FriendsState, faccid: string): FriendEntry | undefined {
  return state.friends.find((f) => f.faccid === faccid);
}

function requestOf(list: readonly PendingRequest[], peer: string): PendingRequest | undefined {
  return list.find((r) => r.peer === peer);
}

function without<T>(list: readonly T[], drop: (item: T) => boolean): T[] {
  return list.filter((item) => !drop(item));
}

/** The friendship with `faccid` starts: a kept alias comes back, requests between the pair go. */
function addFriend(state: FriendsState, faccid: string, serverex: string | undefined, now: number): Transition<FriendsReplies["link"]> {
  const time = stamp(state, now);
  const alias = state.keptAliases.find((k) => k.faccid === faccid)?.alias ?? "";
  const entry: FriendEntry = { faccid, alias, ex: "", serverex: serverex ?? "", createtime: time, updatetime: time };
  const dropped: DroppedRequests = {};
  const incoming = requestOf(state.incoming, faccid);
  const outgoing = requestOf(state.outgoing, faccid);
  if (incoming) dropped.incoming = incoming;
  if (outgoing) dropped.outgoing = outgoing;
  return {
    reply: { outcome: "created", dropped },
    next: {
      friends: [...state.friends, entry],
      incoming: without(state.incoming, (r) => r.peer === faccid),
      outgoing: without(state.outgoing, (r) => r.peer === faccid),
      keptAliases: without(state.keptAliases, (k) => k.faccid === faccid),
      clock: time,
    },
  };
}

export function link(state: FriendsState, m: FriendsMessageOf<"link">, now: number): Transition<FriendsReplies["link"]> {
  // An existing friendship is left as it is (serverex included): a retried add must not change it.
  if (friendOf(state, m.faccid)) return { reply: { outcome: "existing" } };
  if (state.friends.length >= m.limit) return { reply: { outcome: "full" } };
  return addFriend(state, m.faccid, m.serverex, now);
}

export function accept(state: FriendsState, m: FriendsMessageOf<"accept">, now: number): Transition<FriendsReplies["accept"]> {
  // Already friends: a retry of an accept whose first step went through, so it is a success.
  if (friendOf(state, m.from)) return { reply: { outcome: "existing" } };
  if (!requestOf(state.incoming, m.from)) return { reply: { outcome: "noRequest" } };
  if (state.friends.length >= m.limit) return { reply: { outcome: "full" } };
  return addFriend(state, m.from, m.serverex, now);
}

export function undoLink(state: FriendsState, m: FriendsMessageOf<"undoLink">, now: number): Transition<FriendsReplies["undoLink"]> {
  const entry = friendOf(state, m.faccid);
  if (!entry) return { reply: { undone: false } };
  const restore = (list: PendingRequest[], r: PendingRequest | undefined) =>
    r && !requestOf(list, r.peer) ? [...list, { peer: r.peer, msg: r.msg, time: r.time }] : list;
  return {
    reply: { undone: true },
    next: {
      friends: without(state.friends, (f) => f.faccid === m.faccid),
      incoming: restore(state.incoming, m.restore.incoming),
      outgoing: restore(state.outgoing, m.restore.outgoing),
      // The alias the friendship brought back goes back where it came from.
      keptAliases: entry.alias ? [...state.keptAliases, { faccid: m.faccid, alias: entry.alias }] : state.keptAliases,
      clock: stamp(state, now),
    },
  };
}

export function unlink(state: FriendsState, m: FriendsMessageOf<"unlink">, now: number): Transition<FriendsReplies["unlink"]> {
  const entry = friendOf(state, m.faccid);
  if (!entry) return { reply: { removed: false } };
  const others = without(state.keptAliases, (k) => k.faccid === m.faccid);
  return {
    reply: { removed: true },
    next: {
      ...state,
      friends: without(state.friends, (f) => f.faccid === m.faccid),
      keptAliases: entry.alias && !m.deleteAlias ? [...others, { faccid: m.faccid, alias: entry.alias }] : others,
      clock: stamp(state, now),
    },
  };
}

/** Records (or refreshes, on a resend) this user's request to `to`. */
export function sendRequest(
  state: FriendsState,
  m: FriendsMessageOf<"sendRequest">,
  now: number,
): Transition<FriendsReplies["sendRequest"]> {
  if (friendOf(state, m.to)) return { reply: { outcome: "alreadyFriends" } };
  const time = stamp(state, now);
  return {
    reply: { outcome: "recorded" },
    next: { ...state, outgoing: [...without(state.outgoing, (r) => r.peer === m.to), { peer: m.to, msg: m.msg, time }], clock: time },
  };
}

export function receiveRequest(
  state: FriendsState,
  m: FriendsMessageOf<"receiveRequest">,
  now: number,
): Transition<FriendsReplies["receiveRequest"]> {
  const time = stamp(state, now);
  return {
    reply: { outcome: "recorded" },
    next: { ...state, incoming: [...without(state.incoming, (r) => r.peer === m.from), { peer: m.from, msg: m.msg, time }], clock: time },
  };
}

export function dropRequest(state: FriendsState, m: FriendsMessageOf<"dropRequest">): Transition<FriendsReplies["dropRequest"]> {
  const list = state[m.side];
  if (!requestOf(list, m.peer)) return { reply: { removed: false } };
  return { reply: { removed: true }, next: { ...state, [m.side]: without(list, (r) => r.peer === m.peer) } };
}

export function update(state: FriendsState, m: FriendsMessageOf<"update">, now: number): Transition<FriendsReplies["update"]> {
  const entry = friendOf(state, m.faccid);
  if (!entry) return { reply: { updated: false } };
  const changed: FriendEntry = {
    ...entry,
    alias: m.alias ?? entry.alias,
    ex: m.ex ?? entry.ex,
    serverex: m.serverex ?? entry.serverex,
  };
  if (changed.alias === entry.alias && changed.ex === entry.ex && changed.serverex === entry.serverex) {
    return { reply: { updated: true } };
  }
  const time = stamp(state, now);
  changed.updatetime = time;
  return {
    reply: { updated: true },
    next: { ...state, friends: state.friends.map((f) => (f.faccid === m.faccid ? changed : f)), clock: time },
  };
}

export function get(state: FriendsState, m: FriendsMessageOf<"get">): FriendEntry | null {
  return friendOf(state, m.faccid) ?? null;
}

export function list(state: FriendsState, m: FriendsMessageOf<"list">): FriendEntry[] {
  return state.friends.filter((f) => f.updatetime > m.since);
}
