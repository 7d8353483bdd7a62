import { z } from "zod";
import {
  CHATROOM_ATTACH_MAX,
  CHATROOM_EXT_MAX,
  CHATROOM_MSG_ID_MAX,
  CHATROOM_SENDABLE_TYPES,
  checkChatroomSend,
  REST_SEND_FIELDS,
} from "../../chatrooms/validate.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { chatroomOwnerAddress } from "../../contracts/chatroom.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { namedAsSent } from "./caller-names.ts";
import { accidList, jsonSwitches, millis } from "./msg-params.ts";
import { accid, bool, intEnum, jsonArray, requiredText, text } from "./params.ts";
import { askRoom, NOTIFY_EXT_MAX, ROOM_EXT_MAX, roomid } from "./chatroom-params.ts";
import { QueueSyncEvent } from "../../chatrooms/sync.ts";

/** NIM: at most 10 messages per batchSendMsg (kept small: each is one message to the whole room). */
const BATCH_SEND_MAX = 10;

const queueMultiGet = endpoint({
  module: "chatroom",
  action: "queueMultiGet",
  summary: "The queue elements of these keys, in queue order, each as {key: value}",
  params: z.object({ roomid: roomid(), keys: jsonArray(z.string().min(1).max(128), 100) }),
  async handler(ctx, p) {
    const list = await askRoom(ctx, p.roomid, { t: "queueMultiGet", keys: p.keys });
    return { desc: { list: list.map((e) => ({ [e.key]: e.value })) } };
  },
});

/** Elements per queueBatchOffer: as many as a queue holds at most. */
const BATCH_OFFER_MAX = 1000;

const queueElement = z
  .object({
    key: z.string().min(1).max(128),
    value: z.string().max(4096),
    /** The element's owner (a transient element goes when it leaves); defaults to the call's operator. */
    accid: z
      .string()
      .min(1)
      .max(32)
      .transform((a) => a.toLowerCase())
      .optional(),
    transient: z.boolean().optional(),
  })
  .strict();

const queueBatchOffer = endpoint({
  module: "chatroom",
  action: "queueBatchOffer",
  summary:
    "Offer several elements at once, in order (a key already queued is updated in place); keys that do not fit the queue's size are answered in failedKeys",
  params: z.object({
    roomid: roomid(),
    operator: accid().optional(),
    transient: bool().optional(),
    elements: jsonArray(queueElement, BATCH_OFFER_MAX),
    needNotify: bool().optional(),
    notifyExt: text(NOTIFY_EXT_MAX).optional(),
    /** NIM's high-priority queue notifications: accepted; queue changes are never dropped by receive budgets anyway. */
    highPriority: intEnum([0, 1]).optional(),
    highPriorityPolicy: intEnum([0, 1, 2]).optional(),
  }),
  async handler(ctx, p) {
    const owners = new Set([
      ...(p.operator !== undefined ? [p.operator] : []),
      ...p.elements.flatMap((e) => (e.accid !== undefined ? [e.accid] : [])),
    ]);
    for (const owner of owners)
      await ctx.chatrooms.requireAccount(ctx.app.appKey, owner, owner === p.operator ? "operator" : "elements.accid");
    const elements = p.elements.map((e) => ({
      key: e.key,
      value: e.value,
      operator: e.accid ?? p.operator ?? null,
      transient: e.transient ?? p.transient ?? false,
    }));
    const done = await askRoom(ctx, p.roomid, {
      t: "queueBatchOffer",
      elements,
      needNotify: p.needNotify ?? true,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    if (done.offered.length > 0)
      await ctx.chatrooms.queueChanged(ctx.app.appKey, p.roomid, {
        qEvent: QueueSyncEvent.ADD,
        fromWebApi: true,
        operator: p.operator ?? null,
        elements: Object.fromEntries(done.offered.map((o) => [o.key, o.value])),
      });
    return { desc: { failedKeys: done.failedKeys, highPriority: p.highPriority === 1 } };
  },
});

const cleanRobot = endpoint({
  module: "chatroom",
  action: "cleanRobot",
  summary: "Remove every robot of the room; the room hears it when notify is true",
  params: z.object({ roomid: roomid(), notify: bool().optional() }),
  async handler(ctx, p) {
    return { desc: await askRoom(ctx, p.roomid, { t: "cleanRobots", notify: p.notify ?? false }) };
  },
});

const queryMembersByRole = endpoint({
  module: "chatroom",
  action: "queryMembersByRole",
  summary: "The room's members by role: creator, manager, blacklist, mute, tempMute (a JSON object of switches)",
  params: z.object({ roomid: roomid(), roles: jsonSwitches(1024, ["creator", "manager", "blacklist", "mute", "tempMute"]) }),
  async handler(ctx, p) {
    const r = p.roles;
    const data = await askRoom(ctx, p.roomid, {
      t: "membersByRole",
      creator: r.creator === true,
      manager: r.manager === true,
      blacklist: r.blacklist === true,
      mute: r.mute === true,
      tempMute: r.tempMute === true,
    });
    return { desc: { data } };
  },
});

const updateMyRoomRole = endpoint({
  module: "chatroom",
  action: "updateMyRoomRole",
  summary: "Change a member's nick, avatar and ext in the room (saved for fixed members with save=true); the room hears it",
  params: z.object({
    roomid: roomid(),
    accid: accid(),
    save: bool().optional(),
    needNotify: bool().optional(),
    notifyExt: text(NOTIFY_EXT_MAX).optional(),
    nick: text(64).optional(),
    avator: text(1024).optional(),
    ext: text(ROOM_EXT_MAX).optional(),
    bid: text(64).optional(),
  }),
  async handler(ctx, p) {
    await askRoom(ctx, p.roomid, {
      t: "updateMyRole",
      accid: p.accid,
      save: p.save ?? false,
      needNotify: p.needNotify ?? true,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
      ...(p.nick !== undefined && { nick: p.nick }),
      ...(p.avator !== undefined && { avator: p.avator }),
      ...(p.ext !== undefined && { ext: p.ext }),
    });
    return {};
  },
});

const deleteHistoryMessage = endpoint({
  module: "chatroom",
  action: "deleteHistoryMessage",
  summary: "Remove one message (fromAcc's, sent at msgTimetag) from the room's history",
  params: z.object({ roomid: roomid(), fromAcc: accid(), msgTimetag: millis() }),
  async handler(ctx, p) {
    await askRoom(ctx, p.roomid, { t: "deleteHistory", from: p.fromAcc, time: p.msgTimetag });
    return {};
  },
});

const messageParams = {
  msgId: requiredText(CHATROOM_MSG_ID_MAX),
  msgType: intEnum(CHATROOM_SENDABLE_TYPES),
  resendFlag: intEnum([0, 1]).optional(),
  attach: text(CHATROOM_ATTACH_MAX).optional(),
  ext: text(CHATROOM_EXT_MAX).optional(),
  highPriority: bool().optional(),
};

const sendMsgToSomeone = endpoint({
  module: "chatroom",
  action: "sendMsgToSomeone",
  summary: "A message to some members of the room only (up to 100 accounts); not kept in the room's history",
  params: z.object({ roomid: roomid(), fromAccid: accid(), toAccids: accidList(100), ...messageParams }),
  async handler(ctx, p) {
    await ctx.chatrooms.requireAccount(ctx.app.appKey, p.fromAccid, "fromAccid");
    const input = checkChatroomSend(
      { clientMsgId: p.msgId, type: p.msgType, attach: p.attach, ext: p.ext, highPriority: p.highPriority === true },
      p.fromAccid,
      REST_SEND_FIELDS,
    );
    const m = await askRoom(ctx, p.roomid, { t: "sendToSome", input, to: p.toAccids });
    return {
      desc: {
        roomId: m.roomid,
        msgid: m.msgid,
        msgid_client: m.clientMsgId,
        fromAccount: m.from,
        time: m.time,
        type: m.type,
        attach: m.attach,
      },
    };
  },
});

const broadcast = endpoint({
  module: "chatroom",
  action: "broadcast",
  summary: "A message to every chat room of the app, to the members in them now; no room's history keeps it",
  params: z.object({ fromAccid: accid(), ...messageParams }),
  async handler(ctx, p) {
    await ctx.chatrooms.requireAccount(ctx.app.appKey, p.fromAccid, "fromAccid");
    const input = checkChatroomSend(
      { clientMsgId: p.msgId, type: p.msgType, attach: p.attach, ext: p.ext, highPriority: p.highPriority === true },
      p.fromAccid,
      REST_SEND_FIELDS,
    );
    const m = await ctx.system.ask(chatroomOwnerAddress(ctx.app.appKey, p.fromAccid), { t: "broadcast", input });
    return { desc: { msgid: m.msgid, msgid_client: m.clientMsgId, fromAccount: m.from, time: m.time, type: m.type, attach: m.attach } };
  },
});

const batchItem = z.object({
  msgId: z.string().min(1).max(CHATROOM_MSG_ID_MAX),
  msgType: z.number().int(),
  attach: z.string().max(CHATROOM_ATTACH_MAX).optional(),
  ext: z.string().max(CHATROOM_EXT_MAX).optional(),
  highPriority: z.boolean().optional(),
  skipHistory: z.union([z.literal(0), z.literal(1)]).optional(),
});

const batchSendMsg = endpoint({
  module: "chatroom",
  action: "batchSendMsg",
  summary: `Up to ${BATCH_SEND_MAX} messages from fromAccid to the room, in order; answers which were sent and which refused`,
  params: z.object({ roomid: roomid(), fromAccid: accid(), msgList: jsonArray(batchItem, BATCH_SEND_MAX) }),
  async handler(ctx, p) {
    await ctx.chatrooms.requireAccount(ctx.app.appKey, p.fromAccid, "fromAccid");
    const inputs = p.msgList.map((item, i) =>
      namedAsSentSync(`msgList.${i}`, () =>
        checkChatroomSend(
          {
            clientMsgId: item.msgId,
            type: item.msgType,
            attach: item.attach,
            ext: item.ext,
            highPriority: item.highPriority,
            skipHistory: item.skipHistory === 1,
          },
          p.fromAccid,
          REST_SEND_FIELDS,
        ),
      ),
    );
    const success: Record<string, unknown>[] = [];
    const fail: Record<string, unknown>[] = [];
    // In order, one after another: the room numbers them as listed.
    for (const input of inputs) {
      try {
        const ack = await namedAsSent({ clientMsgId: "msgId" }, ctx.chatrooms.send(ctx.app, p.roomid, input));
        success.push({ msgId: input.clientMsgId, msgid: ack.message.msgid, time: ack.message.time, seq: ack.message.seq });
      } catch (err) {
        if (!(err instanceof NimbusError)) throw err;
        // The room itself refused (closed, muted, gone): every message would be.
        if (err.code !== 414) throw err;
        fail.push({ msgId: input.clientMsgId, code: err.code, desc: err.message });
      }
    }
    return { desc: { success, fail } };
  },
});

const batchSendMsgToSomeone = endpoint({
  module: "chatroom",
  action: "batchSendMsgToSomeone",
  summary: `Up to ${BATCH_SEND_MAX} messages from fromAccid to some members only (up to 100 accounts), in order; never stored`,
  params: z.object({ roomid: roomid(), fromAccid: accid(), toAccids: accidList(100), msgList: jsonArray(batchItem, BATCH_SEND_MAX) }),
  async handler(ctx, p) {
    await ctx.chatrooms.requireAccount(ctx.app.appKey, p.fromAccid, "fromAccid");
    const inputs = p.msgList.map((item, i) =>
      namedAsSentSync(`msgList.${i}`, () =>
        checkChatroomSend(
          { clientMsgId: item.msgId, type: item.msgType, attach: item.attach, ext: item.ext, highPriority: item.highPriority },
          p.fromAccid,
          REST_SEND_FIELDS,
        ),
      ),
    );
    const success: Record<string, unknown>[] = [];
    for (const input of inputs) {
      const m = await askRoom(ctx, p.roomid, { t: "sendToSome", input, to: p.toAccids });
      success.push({ msgId: m.clientMsgId, msgid: m.msgid, time: m.time });
    }
    return { desc: { success, fail: [] } };
  },
});

/** A refusal inside one list item, named by where it is (`msgList.2.attach: …`, as zod names list items). */
function namedAsSentSync<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof NimbusError && err.code === 414) throw NimbusError.fromWire(414, `${where}.${err.message}`);
    throw err;
  }
}

/** NIM's less common chat room calls. */
export const chatroomExtraEndpoints: readonly NimEndpoint[] = [
  queueMultiGet,
  queueBatchOffer,
  cleanRobot,
  queryMembersByRole,
  updateMyRoomRole,
  deleteHistoryMessage,
  sendMsgToSomeone,
  batchSendMsg,
  batchSendMsgToSomeone,
  broadcast,
];
