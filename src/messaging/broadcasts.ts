import { broadcastOf, broadcastsAddress, type BroadcastsProtocol } from "../contracts/broadcasts.ts";
import { isDeleted } from "../conversation/flags.ts";
import { NimbusError, refuse } from "../protocol/errors.ts";
import { broadcastReaches, OFFLINE_BROADCASTS_MAX, type Broadcast } from "../protocol/broadcasts.ts";
import type { RequestOf } from "../runtime/actor-ref.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { Journal, JournalEntry } from "../store/port.ts";
import { scanJournal } from "./scan.ts";

/** NIM history/queryBroadcastMsg `type`: 1 all, 2 those stored for offline devices, 3 those not stored. */
export type BroadcastListType = 1 | 2 | 3;

export type BroadcastInput = RequestOf<BroadcastsProtocol> & { t: "send" };

/**
 * App-wide broadcasts as both edges use them: the app server sends, lists, reads and deletes
 * (msg/broadcastMsg, history/*BroadcastMsg*); a device that logs in fetches the stored ones it
 * has not had. Writes go to the app's broadcasts actor, reads to its journal.
 */
export class Broadcasts {
  constructor(
    private readonly system: ActorSystem,
    private readonly journal: Journal = system.journal,
  ) {}

  send(appKey: string, input: Omit<BroadcastInput, "t">): Promise<Broadcast> {
    if (!Number.isSafeInteger(input.ttlHours) || input.ttlHours < 1) refuse("ttl", "must be a positive number of hours");
    return this.system.ask(broadcastsAddress(appKey), { t: "send", ...input });
  }

  /** One broadcast by id, unless deleted or expired. */
  async get(appKey: string, broadcastId: number, now = Date.now()): Promise<Broadcast | null> {
    const e = await this.journal.getByMsgid(broadcastId);
    return e && e.conversation === broadcastsAddress(appKey) && this.live(e, now) ? broadcastOf(e) : null;
  }

  /** Newest first, from `startId` (inclusive; 0 = the newest) down, at most `limit`. */
  async list(appKey: string, q: { startId: number; limit: number; type: BroadcastListType }, now = Date.now()): Promise<Broadcast[]> {
    const conversation = broadcastsAddress(appKey);
    let toSeq: number | undefined;
    if (q.startId > 0) {
      const start = await this.journal.getByMsgid(q.startId);
      if (!start || start.conversation !== conversation) throw new NimbusError("NOT_FOUND", `broadcastId: no broadcast ${q.startId}`);
      toSeq = start.seq;
    }
    const entries = await scanJournal(
      this.journal,
      conversation,
      { order: "desc", ...(toSeq !== undefined && { toSeq }) },
      (e) => this.live(e, now) && (q.type === 1 || broadcastOf(e).isOffline === (q.type === 2)),
      q.limit,
    );
    return entries.map(broadcastOf);
  }

  /** Deletes one; false when there is no such broadcast. */
  remove(appKey: string, broadcastId: number): Promise<boolean> {
    return this.system.ask(broadcastsAddress(appKey), { t: "remove", broadcastId });
  }

  /**
   * What a device of `clientType` that holds broadcasts up to `cursor` (a seq) is owed at login:
   * the stored (isOffline) broadcasts after it that have not expired and target its system, the
   * newest OFFLINE_BROADCASTS_MAX, oldest first.
   */
  async offline(appKey: string, clientType: string, cursor: number, now = Date.now()): Promise<Broadcast[]> {
    if (!Number.isSafeInteger(cursor) || cursor < 0) refuse("cursor", "must be a non-negative integer");
    const entries = await scanJournal(
      this.journal,
      broadcastsAddress(appKey),
      { order: "desc", fromSeq: cursor + 1 },
      (e) => {
        if (!this.live(e, now)) return false;
        const b = broadcastOf(e);
        return b.isOffline && broadcastReaches(b.targetOs, clientType);
      },
      OFFLINE_BROADCASTS_MAX,
    );
    return entries.reverse().map(broadcastOf);
  }

  private live(e: JournalEntry, now: number): boolean {
    return !e.unreadable && !isDeleted(e.flags) && e.expireAt > now;
  }
}
