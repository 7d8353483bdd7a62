import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { Broadcast, BroadcastOs } from "../protocol/broadcasts.ts";
import type { JournalEntry } from "../store/port.ts";

/**
 * The broadcasts actor (`broadcasts/<appKey>/all`): one per app, the only writer of the app's
 * broadcast journal (its own address), numbering broadcasts 1, 2, 3…; it publishes each once on
 * the app's broadcast subject. Reads go to the journal.
 */
export type BroadcastsProtocol = {
  send: {
    request: { from?: string; body: string; isOffline: boolean; ttlHours: number; targetOs?: BroadcastOs[] };
    reply: Broadcast;
  };
  /** Deletes one broadcast (NIM history/delBroadcastMsgById): no longer listed nor delivered. False when there is none. */
  remove: { request: { broadcastId: number }; reply: boolean };
};

export type BroadcastsMessage = RequestOf<BroadcastsProtocol>;

/** What a broadcast keeps in `JournalEntry.payload`; seq, msgid (broadcastId), from and times are the entry's own. */
export interface BroadcastPayload {
  body: string;
  isOffline: boolean;
  targetOs?: BroadcastOs[];
}

/** NIM message type 5 ("notification"), as stored system notifications are journaled. */
export const BROADCAST_ENTRY_TYPE = 5;

export const BROADCASTS_KIND = "broadcasts";
const BROADCASTS_ID = "all";

export function broadcastsAddress(appKey: string): ActorRef<BroadcastsProtocol> {
  return actorRef<BroadcastsProtocol>(BROADCASTS_KIND, appKey, BROADCASTS_ID);
}

/** A journaled broadcast as NIM shows it. */
export function broadcastOf(entry: JournalEntry): Broadcast {
  const p = entry.payload as unknown as BroadcastPayload;
  const b: Broadcast = {
    broadcastId: entry.msgid,
    seq: entry.seq,
    body: p.body,
    isOffline: p.isOffline,
    createTime: entry.time,
    expireTime: entry.expireAt,
  };
  // An empty `from` means the app server named no sender.
  if (entry.from !== "") b.from = entry.from;
  if (p.targetOs !== undefined) b.targetOs = p.targetOs;
  return b;
}
