import { isOwnP2pId, parseConversation } from "../conversation/ref.ts";
import type { App } from "../apps/registry.ts";
import type { Journal, JournalEntry } from "../store/port.ts";
import { refuse } from "../protocol/errors.ts";
import { mapLimit } from "../util/map-limit.ts";
import { noticesAddress, type NoticePayload } from "../contracts/notices.ts";
import { noticeIsFor, teamNoticesAddress, type TeamNoticePayload } from "../contracts/team-notices.ts";
import { messageOf, optionOf } from "../conversation/entry.ts";
import { daysAgo } from "./retention.ts";
import { scanJournal } from "./scan.ts";
import type { ConversationId, ConversationSummary, Message, SyncResult, SystemNotification } from "../protocol/messages.ts";
import { isPlainObject } from "./validate.ts";

/** Conversations read from the store at once during one sync. */
const PARALLEL_READS = 8;

/** The user's conversation list, as the inbox actor answers it. */
export type ListConversations = (opts: { limit?: number; updatedSince?: number; all?: boolean }) => Promise<ConversationSummary[]>;

export interface SyncDeps {
  journal: Journal;
  app: App;
  accid: string;
  list: ListConversations;
  now: number;
  /** Where a conversation of the user's list is journaled, and whom its policy hides a message from. */
  locate(conv: ConversationId): LocatedConversation | undefined;
  /** The tids of the teams the user is in (their stored custom notifications); absent: none read. */
  teams?(): Promise<string[]>;
  /** The team's seq before the user joined it (TeamMember join seq); null when not a member. */
  joinedAfter?(tid: string): Promise<number | null>;
}

/** A conversation as sync reads it: its journal, and its kind's one-way-delete rule. */
export interface LocatedConversation {
  journalKey: string;
  hiddenFor(flags: number, accid: string, from: string): boolean;
}

export interface CheckedSync {
  /** Offline when the device named any cursor, roaming (a new device) otherwise. */
  mode: "offline" | "roaming";
  /** The cursors of the user's own conversations; others are dropped. */
  cursors: Map<ConversationId, number>;
  notificationCursor: number;
  /** Per tid, the newest stored team notification the device holds. */
  teamNotificationCursors: Map<string, number>;
}

/** A tid as ref.ts reads `team:<tid>`. */
const TID = /^[1-9]\d{0,15}$/;

/** Checks a device's sync request. */
export function checkSyncRequest(raw: unknown, accid: string): CheckedSync {
  const req = raw ?? {};
  if (!isPlainObject(req)) refuse("sync", "not an object");
  const cursors = new Map<ConversationId, number>();
  let named = false;
  if (req.cursors !== undefined && req.cursors !== null) {
    if (!isPlainObject(req.cursors)) refuse("cursors", "not an object");
    for (const [conv, seq] of Object.entries(req.cursors)) {
      named = true;
      if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) refuse(`cursors.${conv}`, "must be a non-negative integer");
      // A team's cursor is kept too; only teams in the user's own list are read (see offline).
      const kind = parseConversation(conv)?.kind;
      if (isOwnP2pId(conv, accid) || kind === "team" || kind === "superteam") cursors.set(conv, seq);
    }
  }
  const nc = req.notificationCursor ?? 0;
  if (typeof nc !== "number" || !Number.isSafeInteger(nc) || nc < 0) refuse("notificationCursor", "must be a non-negative integer");
  const teamNotificationCursors = new Map<string, number>();
  if (req.teamNotificationCursors !== undefined && req.teamNotificationCursors !== null) {
    if (!isPlainObject(req.teamNotificationCursors)) refuse("teamNotificationCursors", "not an object");
    for (const [tid, seq] of Object.entries(req.teamNotificationCursors)) {
      if (!TID.test(tid)) refuse(`teamNotificationCursors.${tid}`, "not a team id");
      if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0)
        refuse(`teamNotificationCursors.${tid}`, "must be a non-negative integer");
      teamNotificationCursors.set(tid, seq);
    }
  }
  return { mode: named ? "offline" : "roaming", cursors, notificationCursor: nc, teamNotificationCursors };
}

/**
 * Login sync. A device that holds cursors gets what it missed under NIM's offline rules; a new
 * device (no cursors) gets NIM's roaming set. Both get the stored system notifications after its
 * notification cursor.
 */
export async function syncFor(deps: SyncDeps, raw: unknown): Promise<SyncResult> {
  const req = checkSyncRequest(raw, deps.accid);
  const [part, notifications, teamNotifications] = await Promise.all([
    req.mode === "offline" ? offline(deps, req.cursors) : roaming(deps),
    storedNotifications(deps, req.notificationCursor),
    storedTeamNotifications(deps, req.teamNotificationCursors),
  ]);
  return { ...part, notifications: [...notifications, ...teamNotifications] };
}

/**
 * Offline: per conversation, the messages after the device's cursor (0 for a conversation it does
 * not name), the newest `offlinePerConversation` of them, within `offlineDays`; then the newest
 * `offlineTotal` over all conversations. Left out: messages sent with persistent=false (online
 * only), those deleted one-way for this user, and the user's own messages sent with
 * sendersync=false (their other devices were not to have them).
 */
async function offline(deps: SyncDeps, cursors: Map<ConversationId, number>): Promise<Omit<SyncResult, "notifications">> {
  const { journal, app, accid, now } = deps;
  const since = daysAgo(app.limits.offlineDays, now);
  const all = await deps.list({ all: true });
  // Conversations of a kind this node does not serve are left out rather than failing the sync.
  const located = new Map<ConversationId, LocatedConversation>();
  const ownP2p = [...cursors.keys()].filter((c) => isOwnP2pId(c, accid));
  for (const conv of new Set([...all.map((c) => c.conv), ...ownP2p])) {
    const where = deps.locate(conv);
    if (where) located.set(conv, where);
  }
  const convs = [...located.keys()];
  const keyOf = (conv: ConversationId): string => (located.get(conv) as LocatedConversation).journalKey;
  const latest = await journal.maxSeqs(convs.map(keyOf));
  const latestOf = (conv: ConversationId): number | undefined => (located.has(conv) ? latest.get(keyOf(conv)) : undefined);
  // A team's messages from before the user joined are not theirs to be handed at login.
  const joinedAfter = new Map(all.flatMap((c) => (c.joinedAfterSeq ? [[c.conv, c.joinedAfterSeq] as const] : [])));
  const from = (c: ConversationId): number => Math.max(cursors.get(c) ?? 0, joinedAfter.get(c) ?? 0);
  const behind = convs.filter((c) => (latestOf(c) ?? 0) > from(c));

  const perConv = await mapLimit(behind, PARALLEL_READS, (conv) =>
    scanJournal(
      journal,
      keyOf(conv),
      { order: "desc", fromSeq: from(conv) + 1, fromTime: since },
      (e) => {
        const option = optionOf(e);
        return (
          e.expireAt > now &&
          option.persistent !== false &&
          !(e.from === accid && option.sendersync === false) &&
          !(located.get(conv) as LocatedConversation).hiddenFor(e.flags, accid, e.from)
        );
      },
      app.limits.offlinePerConversation,
    ),
  );

  // The newest offlineTotal overall: by time, then seq (one conversation's own order).
  const candidates = behind.flatMap((conv, i) => perConv[i]!.map((e) => ({ conv, e })));
  candidates.sort((x, y) => y.e.time - x.e.time || y.e.seq - x.e.seq);
  const messages = groupOldestFirst(candidates.slice(0, app.limits.offlineTotal));

  const conversations = all.filter((c) => c.lastMessage !== undefined && (c.updatedAt >= since || messages[c.conv] !== undefined));
  return { conversations: conversations.map((c) => withLatest(c, latestOf(c.conv))), messages };
}

/**
 * Roaming (a new device): the `roamingConversations` most recently updated conversations within
 * `roamingDays`, each with its newest `roamingPerConversation` messages of those days, except
 * messages sent with roam=false and those deleted one-way for this user.
 */
async function roaming(deps: SyncDeps): Promise<Omit<SyncResult, "notifications">> {
  const { journal, app, accid, now } = deps;
  const since = daysAgo(app.limits.roamingDays, now);
  const listed = await deps.list({ limit: app.limits.roamingConversations, updatedSince: since });
  // Conversations of a kind this node does not serve are left out rather than failing the sync.
  const conversations = listed.flatMap((c) => {
    const where = deps.locate(c.conv);
    return where ? [{ c, where }] : [];
  });
  const perConv = await mapLimit(conversations, PARALLEL_READS, ({ c, where }) =>
    scanJournal(
      journal,
      where.journalKey,
      { order: "desc", fromSeq: (c.joinedAfterSeq ?? 0) + 1, fromTime: since },
      (e) => e.expireAt > now && optionOf(e).roam !== false && !where.hiddenFor(e.flags, accid, e.from),
      app.limits.roamingPerConversation,
    ),
  );
  const messages = groupOldestFirst(conversations.flatMap(({ c }, i) => perConv[i]!.map((e) => ({ conv: c.conv, e }))));
  return { conversations: conversations.map(({ c }) => c), messages };
}

/** Stored notifications after the cursor within `offlineDays`: the newest `offlineTotal`, oldest first. */
async function storedNotifications(deps: SyncDeps, cursor: number): Promise<SystemNotification[]> {
  const { journal, app, accid, now } = deps;
  const entries = await scanJournal(
    journal,
    noticesAddress(app.appKey, accid),
    { order: "desc", fromSeq: cursor + 1, fromTime: daysAgo(app.limits.offlineDays, now) },
    (e) => e.expireAt > now,
    app.limits.offlineTotal,
  );
  return entries.reverse().map((e) => {
    const p = e.payload as unknown as NoticePayload;
    return { seq: e.seq, from: e.from, to: p.to, attach: p.attach, time: e.time, stored: true };
  });
}

/**
 * The stored custom notifications of each of the user's teams after the device's cursor for it,
 * within `offlineDays`, sent since the user joined: per team the newest `offlineTotal`, oldest
 * first. One journal read per team the user is in, and one ask of the team (its member's join
 * seq, in memory) only for a team that has some to hand; nothing was written per member.
 */
async function storedTeamNotifications(deps: SyncDeps, cursors: Map<string, number>): Promise<SystemNotification[]> {
  const { journal, app, now } = deps;
  if (!deps.teams) return [];
  const tids = await deps.teams();
  const perTeam = await mapLimit(tids, PARALLEL_READS, async (tid) => {
    const entries = await scanJournal(
      journal,
      teamNoticesAddress(app.appKey, tid),
      { order: "desc", fromSeq: (cursors.get(tid) ?? 0) + 1, fromTime: daysAgo(app.limits.offlineDays, now) },
      (e) => e.expireAt > now,
      app.limits.offlineTotal,
    );
    if (entries.length === 0 || !deps.joinedAfter) return entries;
    const joinedAfter = await deps.joinedAfter(tid);
    if (joinedAfter === null) return [];
    // Team seqs only grow with notice seqs, so those from before the join are the oldest: what is
    // left is still the newest offlineTotal of the member's own.
    return entries.filter((e) => noticeIsFor(e.payload as unknown as TeamNoticePayload, joinedAfter));
  });
  return perTeam.flatMap((entries) =>
    entries.reverse().map((e) => {
      const p = e.payload as unknown as TeamNoticePayload;
      return { seq: e.seq, from: e.from, to: p.tid, tid: p.tid, attach: p.attach, time: e.time, stored: true };
    }),
  );
}

function groupOldestFirst(items: readonly { conv: ConversationId; e: JournalEntry }[]): Record<ConversationId, Message[]> {
  const out: Record<ConversationId, Message[]> = {};
  for (const { conv, e } of items) (out[conv] ??= []).push(messageOf(e));
  for (const list of Object.values(out)) list.sort((a, b) => a.seq - b.seq);
  return out;
}

/** The inbox may lag the journal by a tell in flight; the summary shows the journal's newest seq. */
function withLatest(c: ConversationSummary, latest: number | undefined): ConversationSummary {
  return latest !== undefined && latest > c.lastSeq ? { ...c, lastSeq: latest } : c;
}
