import { nimClientTypeNumber } from "../../protocol/client-type-number.ts";
import type { ConversationSummary, Message } from "../../protocol/messages.ts";
import { messageTypeName } from "../../protocol/message-type-names.ts";

/**
 * Messages as NIM's server API shows them: lower-case keys, `body` as a JSON string, the client
 * type as NIM's number. Nimbus adds `seq` (the conversation's order). A recalled message is not
 * in the server API's history; as a session's last message it shows `recalled: true` and an empty body.
 */

export interface NimHistoryMessage {
  from: string;
  to: string;
  msgid: number;
  msgidclient: string;
  sendtime: number;
  type: number;
  fromclienttype: number;
  body: string;
  ext?: string;
  seq: number;
  recalled?: boolean;
}

export function nimMessage(m: Message): NimHistoryMessage {
  return {
    from: m.from,
    to: m.to,
    msgid: m.msgid,
    msgidclient: m.clientMsgId,
    sendtime: m.time,
    type: m.type,
    // A message sent through this API has no client type: NIM shows it as 32 (REST).
    fromclienttype: nimClientTypeNumber(m.fromClientType),
    body: JSON.stringify(m.body),
    ...(m.ext !== undefined && { ext: m.ext }),
    seq: m.seq,
    ...(m.recalled && { recalled: true }),
  };
}

export function typeName(type: number): string {
  return messageTypeName(type);
}

/**
 * One entry of `history/querySessionList`: NIM's keys, `lastMsg` a JSON string of the message as
 * querySessionMsg shows it (only with needLastMsg); Nimbus adds `unreadCount`.
 */
export function nimSession(c: ConversationSummary, needLastMsg: boolean): Record<string, unknown> {
  const team = c.conv.startsWith("team:");
  return {
    sessionType: team ? 1 : 0,
    ...(team ? { tid: Number(c.peer) } : { accid: c.peer }),
    updateTime: c.updatedAt,
    ...(c.lastMessage && { lastMsgType: typeName(c.lastMessage.type) }),
    ...(needLastMsg && c.lastMessage && { lastMsg: JSON.stringify(nimMessage(c.lastMessage)) }),
    unreadCount: c.unread,
  };
}
