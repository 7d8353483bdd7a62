import { p2pConversation, type ConversationRef } from "../conversation/ref.ts";
import type { Bus } from "../bus/port.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { MessagingService } from "../messaging/service.ts";
import type {
  ConversationSummary,
  Message,
  ReadReceipt,
  RecallEvent,
  SendAck,
  SyncResult,
  SystemNotification,
} from "../protocol/messages.ts";
import { MessagingRequests } from "../protocol/messaging.ts";
import type { RequestHandler } from "./requests.ts";
import {
  checkDeviceSend,
  checkOwnCursors,
  conversationsSchema,
  historySchema,
  markReadSchema,
  notifySchema,
  parseBody,
  recallSchema,
  syncSchema,
  TEAM_CONV,
  SUPER_TEAM_CONV,
} from "./messaging-schemas.ts";

export interface MessagingRequestDeps {
  messaging: MessagingService;
  bus: Bus;
  system: ActorSystem;
}

/**
 * The devices' p2p messaging requests, as thin edges over the messaging service: validate the body
 * (414 naming the field), put in who is asking from the session — never from the body, so a device
 * can only ever act as its own account — and pass the service's NIM codes through unchanged.
 */
/** The conversation a device names by `to` / `peer`: a team (`team:<tid>`), a super team (`superteam:<tid>`) or the p2p one with that account. */
function target(me: string, to: string): ConversationRef {
  if (TEAM_CONV.test(to)) return { kind: "team", id: to.slice("team:".length) };
  if (SUPER_TEAM_CONV.test(to)) return { kind: "superteam", id: to.slice("superteam:".length) };
  return p2pConversation(me, to.toLowerCase());
}

export function registerMessagingRequests(register: (type: string, handler: RequestHandler) => void, deps: MessagingRequestDeps): void {
  // `deps.messaging` is read at call time, not captured: the node may swap the service (tests wrap it).
  register(MessagingRequests.SEND, (device, body): Promise<SendAck> => {
    const m = checkDeviceSend(body);
    const { appKey, accid, clientType, deviceId } = device.session;
    return deps.messaging.send(appKey, target(accid, m.to), {
      from: accid,
      type: m.type,
      body: m.body,
      ext: m.ext,
      option: m.option,
      clientMsgId: m.clientMsgId,
      fromClientType: clientType,
      fromDeviceId: deviceId,
    });
  });

  register(MessagingRequests.RECALL, (device, body): Promise<RecallEvent> => {
    const r = parseBody(recallSchema, body, "recall");
    const { appKey, accid } = device.session;
    return deps.messaging.recall(appKey, target(accid, r.peer), {
      by: accid,
      from: accid,
      msgid: r.msgid,
      fromClientType: device.session.clientType,
    });
  });

  register(MessagingRequests.MARK_READ, (device, body): Promise<ReadReceipt> => {
    const r = parseBody(markReadSchema, body, "markRead");
    const { appKey, accid } = device.session;
    return deps.messaging.markRead(appKey, target(accid, r.peer), { reader: accid, seq: r.seq });
  });

  register(MessagingRequests.HISTORY, (device, body): Promise<Message[]> => {
    const { peer, ...page } = parseBody(historySchema, body, "history");
    const { appKey, accid } = device.session;
    return deps.messaging.history(appKey, { ...page, accid, conv: target(accid, peer) });
  });

  register(MessagingRequests.CONVERSATIONS, (device, body): Promise<ConversationSummary[]> => {
    const o = parseBody(conversationsSchema, body, "conversations");
    const { appKey, accid } = device.session;
    return deps.messaging.conversations(appKey, accid, o.limit === undefined ? {} : { limit: o.limit });
  });

  register(MessagingRequests.SYNC, (device, body): Promise<SyncResult> => {
    const { appKey, accid } = device.session;
    const req = parseBody(syncSchema, body, "sync");
    checkOwnCursors(accid, req.cursors);
    return deps.messaging.sync(appKey, accid, req);
  });

  register(MessagingRequests.NOTIFY, (device, body): Promise<SystemNotification> => {
    const n = parseBody(notifySchema, body, "notify");
    const { appKey, accid } = device.session;
    return deps.messaging.customNotify(appKey, { from: accid, to: n.to, attach: n.attach });
  });
}
