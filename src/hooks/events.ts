import type { JournalEntry } from "../store/port.ts";
import type { MessageInput } from "../protocol/messages.ts";
import { messageTypeName } from "../protocol/message-type-names.ts";

/**
 * The bodies NIM posts to an app server, built here for callbacks and data sync alike. NIM sends
 * every value of a data sync body as a string (nim-server-api.md §5.1); callbacks mirror the
 * data sync message fields (§4.3). Field names are NIM's.
 */
export type NimEventBody = Record<string, string>;

/** A callback's body: strings as in data sync, and lists as arrays where NIM's bodies have them (team operations). */
export type CallbackBody = Record<string, string | string[]>;

/** Data sync eventTypes (§5.2) Nimbus sends. */
export const SyncEvent = {
  MESSAGE: 1,
  LOGIN: 2,
  LOGOUT: 3,
  CHATROOM_MESSAGE: 4,
  P2P_RECALL: 7,
  TEAM_RECALL: 8,
  CHATROOM_INOUT: 9,
  CHATROOM_QUEUE: 14,
  SUPERTEAM_RECALL: 25,
  P2P_RECEIPT: 30,
  CALLBACK_FAILED: 83,
} as const;

/** Callback eventTypes (§4.3) Nimbus calls. */
export const CallbackEvent = {
  P2P_MESSAGE: 1,
  TEAM_MESSAGE: 2,
  SUPERTEAM_MESSAGE: 22,
  RECALL: 35,
  LOGIN: 36,
} as const;

/** A conversation kind as NIM's `convType` names it, and its message callback's eventType. */
const CONV_TYPES: Readonly<Record<string, { convType: string; callback: number; recall: number }>> = {
  p2p: { convType: "PERSON", callback: CallbackEvent.P2P_MESSAGE, recall: SyncEvent.P2P_RECALL },
  team: { convType: "TEAM", callback: CallbackEvent.TEAM_MESSAGE, recall: SyncEvent.TEAM_RECALL },
  superteam: { convType: "SUPER_TEAM", callback: CallbackEvent.SUPERTEAM_MESSAGE, recall: SyncEvent.SUPERTEAM_RECALL },
};

/** Journal keys are actor addresses (`session/<app>/<a>|<b>`, `team/<app>/<tid>`): the kind from the first part. */
const KIND_OF_ACTOR: Readonly<Record<string, string>> = { session: "p2p", team: "team", superteam: "superteam" };

export function kindOfJournalKey(journalKey: string): string {
  return KIND_OF_ACTOR[journalKey.slice(0, journalKey.indexOf("/"))] ?? "p2p";
}

export function convTypeOf(kind: string): string {
  return CONV_TYPES[kind]?.convType ?? "PERSON";
}

export function messageCallbackEvent(kind: string): number | undefined {
  return CONV_TYPES[kind]?.callback;
}

export function recallSyncEvent(kind: string): number {
  return CONV_TYPES[kind]?.recall ?? SyncEvent.P2P_RECALL;
}

/** The id part of a journal key (`session/<app>/<id>`): the conversation id. */
function idOfJournalKey(journalKey: string): string {
  const first = journalKey.indexOf("/");
  return journalKey.slice(journalKey.indexOf("/", first + 1) + 1);
}

/**
 * NIM's `body` and `attach` from Nimbus's body object: for TEXT the text itself; for any other
 * type the JSON of the body, which NIM carries as the attachment.
 */
export function nimBodyFields(type: number, body: Record<string, unknown>): { body: string; attach?: string } {
  if (type === 0 && typeof body.msg === "string") return { body: body.msg };
  const json = JSON.stringify(body);
  return type === 0 ? { body: json } : { body: json, attach: json };
}

/** A client type as NIM's data sync names it; REST for a message the server API sent. */
function clientTypeName(t: unknown): string {
  return typeof t === "string" && t !== "" ? t : "REST";
}

interface StoredPayload {
  to?: unknown;
  body?: unknown;
  ext?: unknown;
  fromClientType?: unknown;
  fromDeviceId?: unknown;
}

/**
 * Data sync eventType 1 for a stored message; `members`, a team message's member list when the team
 * had ≤ 200 (NIM's `tMembers`, as a JSON array string: every field of a sync body is a string).
 */
export function messageSyncBody(e: JournalEntry, resend: boolean, members?: readonly string[]): NimEventBody {
  const p = e.payload as StoredPayload;
  const kind = kindOfJournalKey(e.conversation);
  const body = p.body !== null && typeof p.body === "object" ? (p.body as Record<string, unknown>) : {};
  const out: NimEventBody = {
    eventType: String(SyncEvent.MESSAGE),
    convType: convTypeOf(kind),
    fromAccount: e.from,
    to: kind === "p2p" && typeof p.to === "string" ? p.to : idOfJournalKey(e.conversation),
    msgType: messageTypeName(e.type),
    ...nimBodyFields(e.type, body),
    msgidClient: e.clientMsgId,
    msgidServer: String(e.msgid),
    msgTimestamp: String(e.time),
    fromClientType: clientTypeName(p.fromClientType),
    resendFlag: resend ? "1" : "0",
  };
  if (typeof p.ext === "string") out.ext = p.ext;
  if (typeof p.fromDeviceId === "string") out.fromDeviceId = p.fromDeviceId;
  if (members !== undefined) out.tMembers = JSON.stringify(members);
  return out;
}

/** The message callback's body (eventType 1 / 2 / 22): the data sync fields of a message not yet stored. */
export function messageCallbackBody(
  eventType: number,
  kind: string,
  to: string,
  input: MessageInput & { clientMsgId: string },
  now: number,
): NimEventBody {
  const out: NimEventBody = {
    eventType: String(eventType),
    convType: convTypeOf(kind),
    fromAccount: input.from,
    to,
    msgType: messageTypeName(input.type),
    ...nimBodyFields(input.type, input.body),
    msgidClient: input.clientMsgId,
    fromClientType: clientTypeName(input.fromClientType),
    msgTimestamp: String(now),
  };
  if (input.ext !== undefined) out.ext = input.ext;
  if (input.fromDeviceId !== undefined) out.fromDeviceId = input.fromDeviceId;
  return out;
}

/** Data sync 7 / 8 / 25 for a recalled message (fields of §5.2). */
export function recallSyncBody(e: JournalEntry, by: string, deleteTime: number, fromClientType: string | undefined): NimEventBody {
  const p = e.payload as StoredPayload;
  const kind = kindOfJournalKey(e.conversation);
  return {
    eventType: String(recallSyncEvent(kind)),
    clientId: e.clientMsgId,
    deleteTime: String(deleteTime),
    from: e.from,
    fromClientType: clientTypeName(fromClientType),
    msgId: String(e.msgid),
    // Recalled by its sender (a device) rather than by the app server.
    selfMsg: by === e.from ? "true" : "false",
    sendTime: String(e.time),
    to: kind === "p2p" && typeof p.to === "string" ? p.to : idOfJournalKey(e.conversation),
    attach: "",
  };
}

/** Data sync 30: a p2p read receipt, `objects` a JSON array as NIM sends it. */
export function receiptSyncBody(
  reader: string,
  peer: string,
  clientType: string | undefined,
  msgidClient: string,
  time: number,
): NimEventBody {
  return {
    eventType: String(SyncEvent.P2P_RECEIPT),
    objects: JSON.stringify([
      { fromAccount: reader, toAccount: peer, clientType: clientTypeName(clientType), msgidClient, timestamp: String(time) },
    ]),
  };
}

/** What data sync 2 / 3 say of a device. */
export interface DeviceFacts {
  accid: string;
  clientType: string;
  deviceId: string;
  ip: string;
}

/** Data sync 2 (login) or 3 (logout, with NIM's `logOutReason`). */
export function deviceSyncBody(d: DeviceFacts, time: number, logOutReason?: number): NimEventBody {
  const out: NimEventBody = {
    eventType: String(logOutReason === undefined ? SyncEvent.LOGIN : SyncEvent.LOGOUT),
    accid: d.accid,
    clientIp: d.ip,
    clientType: d.clientType,
    code: "200",
    deviceId: d.deviceId,
    timestamp: String(time),
  };
  if (logOutReason !== undefined) out.logOutReason = String(logOutReason);
  return out;
}

/** Data sync 83: a callback that failed (reason 1 timeout, 2 a bad answer), with the body it carried. */
export function callbackFailedBody(reason: 1 | 2, callbackBody: CallbackBody, time: number): NimEventBody {
  return {
    eventType: String(SyncEvent.CALLBACK_FAILED),
    reason: String(reason),
    callbackBody: JSON.stringify(callbackBody),
    timestamp: String(time),
  };
}
