import type { JournalEntry } from "../store/port.ts";
import type { ChatroomMessage } from "../protocol/chatroom.ts";
import { isRecalled } from "./flags.ts";

/** What a chat room message keeps in `JournalEntry.payload`; the indexed fields are the entry's own. */
export interface ChatroomPayload {
  attach: string;
  ext?: string;
  fromNick?: string;
  fromAvator?: string;
  fromClientType?: string;
  highPriority?: boolean;
  /**
   * NIM's `skipHistory`: stored all the same (so a resend is still answered with the first ack
   * after a restart, and seqs stay gap-free), but never shown by history.
   */
  skipHistory?: boolean;
}

/** Whether history leaves the entry out (sent with skipHistory). */
export function skipsHistory(e: JournalEntry): boolean {
  return (e.payload as unknown as ChatroomPayload).skipHistory === true;
}

/** A journal entry as members and history see it; a recalled message keeps its place without its attach. */
export function chatroomMessageOf(roomid: number, e: JournalEntry): ChatroomMessage {
  const p = e.payload as unknown as ChatroomPayload;
  const recalled = isRecalled(e.flags);
  const m: ChatroomMessage = {
    roomid,
    seq: e.seq,
    msgid: e.msgid,
    clientMsgId: e.clientMsgId,
    from: e.from,
    time: e.time,
    type: e.type,
    attach: recalled || typeof p.attach !== "string" ? "" : p.attach,
  };
  if (typeof p.ext === "string" && p.ext !== "") m.ext = p.ext;
  if (typeof p.fromNick === "string") m.fromNick = p.fromNick;
  if (typeof p.fromAvator === "string") m.fromAvator = p.fromAvator;
  if (typeof p.fromClientType === "string") m.fromClientType = p.fromClientType;
  if (p.highPriority === true) m.highPriority = true;
  if (recalled) m.recalled = true;
  return m;
}
