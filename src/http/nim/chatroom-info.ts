import { z } from "zod";
import type { ChatroomInfoFields } from "../../contracts/chatroom.ts";
import { mapLimit } from "../../util/map-limit.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accid, bool, int, intEnum, jsonArray, requiredText, text } from "./params.ts";
import { ANNOUNCEMENT_MAX, askRoom, BROADCAST_URL_MAX, NAME_MAX, NOTIFY_EXT_MAX, ROOM_EXT_MAX, roomid } from "./chatroom-params.ts";

/** How long a delayed close may wait: 30 days. */
const DELAY_SECONDS_MAX = 2_592_000;

/** NIM's delayClosePolicy with its delaySeconds (required with policy 1 or 2). */
function delayOf(policy: 0 | 1 | 2 | undefined, seconds: number | undefined): { policy: 0 | 1 | 2; seconds: number } | undefined {
  if (policy === undefined || policy === 0) return undefined;
  if (seconds === undefined) throw new NimbusError("PARAM_ERROR", "delaySeconds: required with delayClosePolicy 1 or 2");
  return { policy, seconds };
}

/** NIM: at most 20 rooms per getBatch. */
const BATCH_MAX = 20;

const create = endpoint({
  module: "chatroom",
  action: "create",
  summary: "Create a chat room owned by `creator` (at most 200 per creator); answers it as `chatroom`",
  params: z.object({
    creator: accid(),
    name: requiredText(NAME_MAX),
    announcement: text(ANNOUNCEMENT_MAX).optional(),
    broadcasturl: text(BROADCAST_URL_MAX).optional(),
    ext: text(ROOM_EXT_MAX).optional(),
    queuelevel: intEnum([0, 1]).optional(),
    inOutNotification: bool().optional(),
    delayClosePolicy: intEnum([0, 1, 2]).optional(),
    delaySeconds: int(1, DELAY_SECONDS_MAX).optional(),
    bid: text(64).optional(),
  }),
  async handler(ctx, p) {
    const info: ChatroomInfoFields = {
      name: p.name,
      announcement: p.announcement ?? "",
      broadcasturl: p.broadcasturl ?? "",
      ext: p.ext ?? "",
      queuelevel: p.queuelevel ?? 0,
    };
    const delay = delayOf(p.delayClosePolicy, p.delaySeconds);
    return { chatroom: await ctx.chatrooms.create(ctx.app, p.creator, info, p.inOutNotification ?? false, delay) };
  },
});

const get = endpoint({
  module: "chatroom",
  action: "get",
  summary: "A chat room's info, with its online member count when needOnlineUserCount is true",
  params: z.object({ roomid: roomid(), needOnlineUserCount: bool().optional() }),
  async handler(ctx, p) {
    return { chatroom: await ctx.chatrooms.get(ctx.app.appKey, p.roomid, p.needOnlineUserCount ?? false) };
  },
});

const getBatch = endpoint({
  module: "chatroom",
  action: "getBatch",
  summary: "Up to 20 chat rooms at once: the ones found, the ones that do not exist, the ones that failed",
  params: z.object({
    roomids: jsonArray(z.number().int().positive().max(Number.MAX_SAFE_INTEGER), BATCH_MAX),
    needOnlineUserCount: bool().optional(),
  }),
  async handler(ctx, p) {
    const ids = [...new Set(p.roomids)];
    const answers = await mapLimit(ids, 8, async (id) => {
      try {
        return { id, room: await askRoom(ctx, id, { t: "get", needOnlineUserCount: p.needOnlineUserCount ?? false }) };
      } catch {
        return { id, failed: true as const };
      }
    });
    const succRooms = answers.flatMap((a) => ("room" in a && a.room ? [a.room] : []));
    const noExistRooms = answers.flatMap((a) => ("room" in a && !a.room ? [a.id] : []));
    const failRooms = answers.flatMap((a) => ("failed" in a ? [a.id] : []));
    return { succRooms, noExistRooms, failRooms };
  },
});

const update = endpoint({
  module: "chatroom",
  action: "update",
  summary: "Change a chat room's name, announcement, broadcasturl, ext or queuelevel; the room is told unless needNotify is false",
  params: z.object({
    roomid: roomid(),
    name: requiredText(NAME_MAX).optional(),
    announcement: text(ANNOUNCEMENT_MAX).optional(),
    broadcasturl: text(BROADCAST_URL_MAX).optional(),
    ext: text(ROOM_EXT_MAX).optional(),
    queuelevel: intEnum([0, 1]).optional(),
    needNotify: bool().optional(),
    notifyExt: text(NOTIFY_EXT_MAX).optional(),
    bid: text(64).optional(),
  }),
  async handler(ctx, p) {
    const info: Partial<ChatroomInfoFields> = {};
    if (p.name !== undefined) info.name = p.name;
    if (p.announcement !== undefined) info.announcement = p.announcement;
    if (p.broadcasturl !== undefined) info.broadcasturl = p.broadcasturl;
    if (p.ext !== undefined) info.ext = p.ext;
    if (p.queuelevel !== undefined) info.queuelevel = p.queuelevel;
    if (Object.keys(info).length === 0)
      throw new NimbusError("PARAM_ERROR", "name: nothing to update (name, announcement, broadcasturl, ext, queuelevel)");
    const chatroom = await askRoom(ctx, p.roomid, {
      t: "update",
      operator: null,
      info,
      needNotify: p.needNotify ?? true,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    return { chatroom };
  },
});

const toggleCloseStat = endpoint({
  module: "chatroom",
  action: "toggleCloseStat",
  summary: "Open (valid true) or close (false) a chat room; the creator only. Closing puts every member out",
  params: z.object({ roomid: roomid(), operator: accid(), valid: bool() }),
  async handler(ctx, p) {
    return { desc: await askRoom(ctx, p.roomid, { t: "toggleClose", operator: p.operator, valid: p.valid }) };
  },
});

const updateInOutNotification = endpoint({
  module: "chatroom",
  action: "updateInOutNotification",
  summary: "Turn the room's member in/out notifications off (close true) or on",
  params: z.object({ roomid: roomid(), close: bool() }),
  async handler(ctx, p) {
    return { desc: await askRoom(ctx, p.roomid, { t: "setInOutNotification", ionotify: !p.close }) };
  },
});

const updateDelayClosePolicy = endpoint({
  module: "chatroom",
  action: "updateDelayClosePolicy",
  summary: "Set the room's delayed close: 0 none, 1 close delaySeconds from now, 2 close once nobody has been in for delaySeconds",
  params: z.object({ roomid: roomid(), delayClosePolicy: intEnum([0, 1, 2]), delaySeconds: int(1, DELAY_SECONDS_MAX).optional() }),
  async handler(ctx, p) {
    const delay = delayOf(p.delayClosePolicy, p.delaySeconds) ?? { policy: 0 as const, seconds: 0 };
    return { chatroom: await askRoom(ctx, p.roomid, { t: "setDelayClose", policy: delay.policy, seconds: delay.seconds }) };
  },
});

const requestAddr = endpoint({
  module: "chatroom",
  action: "requestAddr",
  summary: "Where a client may enter a chat room: the addresses of the cluster's live nodes",
  params: z.object({
    roomid: roomid(),
    accid: accid(),
    clienttype: intEnum([1, 2, 3]).optional(),
    clientip: text(64).optional(),
  }),
  async handler(ctx, p) {
    const room = await ctx.chatrooms.get(ctx.app.appKey, p.roomid);
    if (!room.valid) throw new NimbusError("CHATROOM_STATE", `roomid: chat room ${p.roomid} is closed`);
    return { addr: ctx.chatrooms.liveAddresses() };
  },
});

const queryUserRoomIds = endpoint({
  module: "chatroom",
  action: "queryUserRoomIds",
  summary: "The ids of the chat rooms an account created",
  params: z.object({ creator: accid() }),
  async handler(ctx, p) {
    return { desc: { roomids: await ctx.chatrooms.roomsOf(ctx.app.appKey, p.creator) } };
  },
});

/** A room's info and state. */
export const chatroomInfoEndpoints: readonly NimEndpoint[] = [
  create,
  get,
  getBatch,
  update,
  toggleCloseStat,
  updateInOutNotification,
  updateDelayClosePolicy,
  requestAddr,
  queryUserRoomIds,
];
