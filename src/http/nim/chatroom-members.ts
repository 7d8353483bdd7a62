import { z } from "zod";
import { mapLimit } from "../../util/map-limit.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accidList } from "./msg-params.ts";
import { millis } from "./msg-params.ts";
import { accid, bool, int, intEnum, text } from "./params.ts";
import { askRoom, NOTIFY_EXT_MAX, ROOM_EXT_MAX, roomid } from "./chatroom-params.ts";

/** NIM: a temporary mute lasts at most 30 days. */
const TEMP_MUTE_MAX_S = 2_592_000;

const notifyExt = () => text(NOTIFY_EXT_MAX).optional();

const setMemberRole = endpoint({
  module: "chatroom",
  action: "setMemberRole",
  summary: "Make `target` a manager (opt 1, creator only), a fixed member (2), blacklisted (-1) or muted (-2); optvalue false undoes it",
  params: z.object({
    roomid: roomid(),
    operator: accid(),
    target: accid(),
    opt: intEnum([1, 2, -1, -2]),
    optvalue: bool(),
    notifyExt: notifyExt(),
  }),
  async handler(ctx, p) {
    await ctx.chatrooms.requireAccount(ctx.app.appKey, p.target, "target");
    const desc = await askRoom(ctx, p.roomid, {
      t: "setRole",
      operator: p.operator,
      target: p.target,
      opt: p.opt,
      optvalue: p.optvalue,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    return { desc };
  },
});

const temporaryMute = endpoint({
  module: "chatroom",
  action: "temporaryMute",
  summary: "Mute `target` in the room for muteDuration seconds (at most 30 days; 0 lifts it); operator a manager or the creator",
  params: z.object({
    roomid: roomid(),
    operator: accid(),
    target: accid(),
    muteDuration: int(0, TEMP_MUTE_MAX_S),
    needNotify: bool().optional(),
    notifyExt: notifyExt(),
  }),
  async handler(ctx, p) {
    await ctx.chatrooms.requireAccount(ctx.app.appKey, p.target, "target");
    const desc = await askRoom(ctx, p.roomid, {
      t: "tempMute",
      operator: p.operator,
      target: p.target,
      seconds: p.muteDuration,
      needNotify: p.needNotify ?? true,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    return { desc };
  },
});

const muteRoom = endpoint({
  module: "chatroom",
  action: "muteRoom",
  summary: "Mute (mute true) or unmute the whole room: only managers and the creator may speak while it is muted",
  params: z.object({ roomid: roomid(), operator: accid(), mute: bool(), needNotify: bool().optional(), notifyExt: notifyExt() }),
  async handler(ctx, p) {
    const desc = await askRoom(ctx, p.roomid, {
      t: "muteRoom",
      operator: p.operator,
      mute: p.mute,
      needNotify: p.needNotify ?? true,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    return { desc };
  },
});

const kickMember = endpoint({
  module: "chatroom",
  action: "kickMember",
  summary: "Put `targetAccid` out of the room; `accid` (a manager or the creator) or, without it, the app server",
  params: z.object({ roomid: roomid(), targetAccid: accid(), accid: accid().optional(), notifyExt: notifyExt() }),
  async handler(ctx, p) {
    await askRoom(ctx, p.roomid, {
      t: "kick",
      operator: p.accid ?? null,
      target: p.targetAccid,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    return {};
  },
});

const membersByPage = endpoint({
  module: "chatroom",
  action: "membersByPage",
  summary:
    "Fixed members (type 0), online guests (1: accounts in the room that are not fixed members) or online fixed members (2), newest first from endtime (0 = now)",
  params: z.object({ roomid: roomid(), type: intEnum([0, 1, 2]), endtime: millis(), limit: int(1, 100) }),
  async handler(ctx, p) {
    const data = await askRoom(ctx, p.roomid, { t: "membersByPage", type: p.type, endtime: p.endtime, limit: p.limit });
    return { desc: { data } };
  },
});

const queryMembers = endpoint({
  module: "chatroom",
  action: "queryMembers",
  summary: "Up to 200 accounts as members of the room: role, mutes, whether online (fixed members)",
  params: z.object({ roomid: roomid(), accids: accidList(200) }),
  async handler(ctx, p) {
    return { desc: { data: await askRoom(ctx, p.roomid, { t: "members", accids: p.accids }) } };
  },
});

const addRobot = endpoint({
  module: "chatroom",
  action: "addRobot",
  summary: "Add up to 100 accounts to the room as robots (always-present members)",
  params: z.object({ roomid: roomid(), accids: accidList(100), roleExt: text(ROOM_EXT_MAX).optional(), notifyExt: notifyExt() }),
  async handler(ctx, p) {
    const known = await mapLimit(p.accids, 8, async (a) => {
      try {
        await ctx.chatrooms.requireAccount(ctx.app.appKey, a, "accids");
        return true;
      } catch {
        return false;
      }
    });
    const existing = p.accids.filter((_, i) => known[i]);
    const failAccids = p.accids.filter((_, i) => !known[i]);
    if (existing.length === 0) return { desc: { successAccids: [], failAccids, oldAccids: [] } };
    const r = await askRoom(ctx, p.roomid, {
      t: "addRobots",
      accids: existing,
      ...(p.roleExt ? { roleExt: p.roleExt } : {}),
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    return { desc: { successAccids: r.successAccids, failAccids: [...failAccids, ...r.failAccids], oldAccids: r.oldAccids } };
  },
});

const removeRobot = endpoint({
  module: "chatroom",
  action: "removeRobot",
  summary: "Remove up to 100 robots from the room",
  params: z.object({ roomid: roomid(), accids: accidList(100) }),
  async handler(ctx, p) {
    return { desc: await askRoom(ctx, p.roomid, { t: "removeRobots", accids: p.accids }) };
  },
});

/** Members, roles and mutes. */
export const chatroomMemberEndpoints: readonly NimEndpoint[] = [
  setMemberRole,
  temporaryMute,
  muteRoom,
  kickMember,
  membersByPage,
  queryMembers,
  addRobot,
  removeRobot,
];
