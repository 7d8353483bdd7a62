import type { JournalEntry } from "../store/port.ts";
import type { ChatroomPayload } from "../conversation/chatroom-entry.ts";
import { messageTypeName } from "../protocol/message-type-names.ts";
import { SyncEvent, type NimEventBody } from "./events.ts";
import type { ChatroomInOutFacts, ChatroomQueueFacts } from "../chatrooms/sync.ts";

/**
 * NIM's data sync bodies for chat rooms (nim-server-api.md §5.2): eventType 4 (a message), 9 (a
 * member in or out) and 14 (a queue change). Every value a string, as NIM sends them.
 */

/** Journal keys of chat rooms are their actors' addresses: `chatroom/<app>/<roomid>`. */
export function isChatroomJournalKey(journalKey: string): boolean {
  return journalKey.startsWith("chatroom/");
}

function roomidOf(journalKey: string): string {
  return journalKey.slice(journalKey.lastIndexOf("/") + 1);
}

/** Data sync 4 for a stored chat room message. */
export function chatroomMessageSyncBody(e: JournalEntry): NimEventBody {
  const p = e.payload as unknown as Partial<ChatroomPayload>;
  const out: NimEventBody = {
    eventType: String(SyncEvent.CHATROOM_MESSAGE),
    roomId: roomidOf(e.conversation),
    fromAccount: e.from,
    msgType: messageTypeName(e.type),
    attach: typeof p.attach === "string" ? p.attach : "",
    msgidClient: e.clientMsgId,
    msgTimestamp: String(e.time),
    fromClientType: typeof p.fromClientType === "string" && p.fromClientType !== "" ? p.fromClientType : "REST",
    resendFlag: "0",
  };
  if (typeof p.ext === "string" && p.ext !== "") out.ext = p.ext;
  if (typeof p.fromNick === "string") out.fromNick = p.fromNick;
  if (typeof p.fromAvator === "string") out.fromAvator = p.fromAvator;
  return out;
}

/** Data sync 9. */
export function chatroomInOutSyncBody(f: ChatroomInOutFacts, time: number): NimEventBody {
  const out: NimEventBody = {
    eventType: String(SyncEvent.CHATROOM_INOUT),
    roomId: String(f.roomid),
    event: f.event,
    accid: f.accid,
    clientType: f.clientType,
    code: "200",
    timestamp: String(time),
    roleType: String(f.roleType),
    anonymous: f.anonymous ? "true" : "false",
  };
  if (f.logOutReason !== undefined) out.logOutReason = f.logOutReason;
  if (f.ext !== undefined && f.ext !== "") out.ext = f.ext;
  return out;
}

/** Data sync 14. */
export function chatroomQueueSyncBody(f: ChatroomQueueFacts, time: number): NimEventBody {
  const out: NimEventBody = {
    eventType: String(SyncEvent.CHATROOM_QUEUE),
    qEvent: String(f.qEvent),
    fromWebApi: f.fromWebApi ? "true" : "false",
    roomid: String(f.roomid),
    operator: f.operator,
    operationTime: String(time),
  };
  if (f.elements !== undefined) out.elements = JSON.stringify(f.elements);
  if (f.keys !== undefined) out.keys = JSON.stringify(f.keys);
  if (f.transient !== undefined) out.transient = f.transient ? "true" : "false";
  return out;
}
