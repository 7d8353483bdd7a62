import type { JournalEntry } from "../store/port.ts";
import { isDeleted, isHiddenFor, isRecalled } from "./flags.ts";
import { conversationOf } from "./ref.ts";
import { type ConversationId, type Message, type MessageOption, type StoredMessageType } from "../protocol/messages.ts";

export const DAY_MS = 86_400_000;

/** What a p2p message keeps in `JournalEntry.payload`; the indexed fields are the entry's own. */
export interface P2pPayload {
  /** The p2p peer, or the team's tid. */
  to: string;
  /** Set for every kind but p2p (e.g. "team:1001"): a p2p conversation's id is read from `from` and `to`. */
  conv?: ConversationId;
  body: Record<string, unknown>;
  ext?: string;
  option?: MessageOption;
  fromClientType?: string;
  fromDeviceId?: string;
}

/**
 * A journal entry as devices and the REST API see it. A recalled message keeps its place (seq,
 * msgid, sender, time) as a marker but shows no body: the store keeps the bytes until retention
 * purges them (the port has no payload rewrite), and nothing ever reads them out again.
 */
export function messageOf(entry: JournalEntry): Message {
  const p = entry.payload as unknown as P2pPayload;
  const recalled = isRecalled(entry.flags);
  const deleted = isDeleted(entry.flags);
  const m: Message = {
    conv: p.conv ?? conversationOf(entry.from, p.to),
    seq: entry.seq,
    msgid: entry.msgid,
    clientMsgId: entry.clientMsgId,
    from: entry.from,
    to: p.to,
    time: entry.time,
    type: entry.type as StoredMessageType,
    body: recalled || deleted ? {} : p.body,
  };
  // Assigned, not spread in: every message delivered and every history page goes through here.
  if (p.ext != null) m.ext = p.ext;
  if (p.option != null) m.option = p.option;
  if (p.fromClientType != null) m.fromClientType = p.fromClientType;
  if (p.fromDeviceId != null) m.fromDeviceId = p.fromDeviceId;
  if (recalled) m.recalled = true;
  if (deleted) m.deleted = true;
  return m;
}

/** Whether `accid` counts this message as unread: the peer's, updating the session, not recalled or deleted. */
export function messageCountsAsUnread(m: Message, accid: string): boolean {
  return m.from !== accid && m.option?.sessionUpdate !== false && m.recalled !== true && m.deleted !== true;
}

/** `messageCountsAsUnread`, and not hidden from `accid` by a one-way delete; never an unreadable entry. */
export function countsAsUnread(entry: JournalEntry, accid: string): boolean {
  if (entry.unreadable) return false;
  const m = messageOf(entry);
  return messageCountsAsUnread(m, accid) && !isHiddenFor(entry.flags, m.conv, accid);
}

/** Whether the entry updates the conversation list (last message, time): NIM's `sessionUpdate`; never an unreadable entry. */
export function updatesSession(entry: JournalEntry): boolean {
  if (entry.unreadable) return false;
  return (entry.payload as unknown as P2pPayload).option?.sessionUpdate !== false;
}

export function optionOf(entry: JournalEntry): MessageOption {
  return (entry.payload as unknown as P2pPayload).option ?? {};
}
