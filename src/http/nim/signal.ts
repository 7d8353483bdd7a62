import { z } from "zod";
import { Signalling } from "../../messaging/signal.ts";
import type { SignalRoomType } from "../../protocol/signal.ts";
import { endpoint, type NimContext, type NimEndpoint } from "./endpoint.ts";
import { accid, intEnum, requiredText, text } from "./params.ts";

/**
 * NIM's signalling v1 (signal/*.action), with the parameters NIM's Java SDK sends
 * (Create/Delay/Close/GetInfo/Ctrl/Invite/CancelInvite/KickSignalRoomRequestV1) and the room shape
 * both SDKs read under `data` (channelName, type as a string, channelId, channelCreateTime,
 * channelExpireTime, creator, ext, members[{accid, uid, deviceId, expireTime, createTime}]).
 * Push fields (needPush, pushTitle, pushContent, pushPayload, needBadge) and isRoute are checked
 * and accepted; Nimbus sends no mobile push.
 */

const EXT_MAX = 4096;

function channelId() {
  return requiredText(64)
    .regex(/^[A-Za-z0-9_-]+$/, "only letters, digits, _ and -")
    .meta({ description: "the room's id, as createRoom answered it" });
}

const flag = () => intEnum([0, 1]).optional();
const attachExt = () => text(EXT_MAX).optional();
const pushParams = {
  needPush: flag(),
  pushTitle: text(500).optional(),
  pushContent: text(500).optional(),
  pushPayload: text(2048).optional(),
  needBadge: flag(),
};

function signalling(ctx: NimContext): Signalling {
  return new Signalling(ctx.system);
}

const createRoom = endpoint({
  module: "signal",
  action: "createRoom",
  summary: "Create a signalling room (type 1 audio, 2 video, 3 custom) for two hours; channelName must not name an open room (10405)",
  params: z.object({
    channelName: text(128).optional(),
    type: intEnum([1, 2, 3]),
    from: accid(),
    ext: text(EXT_MAX).optional(),
    isRoute: flag(),
  }),
  async handler(ctx, p) {
    const data = await signalling(ctx).create(ctx.app.appKey, {
      ...(p.channelName !== undefined && p.channelName !== "" && { channelName: p.channelName }),
      type: p.type as SignalRoomType,
      creator: p.from,
      ext: p.ext ?? "",
    });
    return { data };
  },
});

const delayRoom = endpoint({
  module: "signal",
  action: "delayRoom",
  summary: "Keep a room open for another two hours from now",
  params: z.object({ channelId: channelId() }),
  async handler(ctx, p) {
    return { data: await signalling(ctx).delay(ctx.app.appKey, p.channelId) };
  },
});

const closeRoom = endpoint({
  module: "signal",
  action: "closeRoom",
  summary: "Close a room: its members' devices get CLOSE; open invitations lapse",
  params: z.object({ channelId: channelId(), from: accid(), isSave: flag(), attachExt: attachExt(), isRoute: flag() }),
  async handler(ctx, p) {
    await signalling(ctx).room(ctx.app.appKey, p.channelId, { t: "close", from: p.from, attachExt: p.attachExt ?? "" });
    return {};
  },
});

const getRoomInfo = endpoint({
  module: "signal",
  action: "getRoomInfo",
  summary: "A room and its members, by channelId or by the channelName of an open room",
  params: z.object({ channelName: text(128).optional(), channelId: channelId().optional() }),
  async handler(ctx, p) {
    const q = {
      ...(p.channelId !== undefined && { channelId: p.channelId }),
      ...(p.channelName !== undefined && p.channelName !== "" && { channelName: p.channelName }),
    };
    return { data: await signalling(ctx).info(ctx.app.appKey, q) };
  },
});

const ctrlRoom = endpoint({
  module: "signal",
  action: "ctrlRoom",
  summary: "A custom control (attachExt) to one member (to) or every member's devices",
  params: z.object({ channelId: channelId(), from: accid(), to: accid().optional(), attachExt: attachExt(), isRoute: flag() }),
  async handler(ctx, p) {
    await signalling(ctx).room(ctx.app.appKey, p.channelId, {
      t: "ctrl",
      from: p.from,
      attachExt: p.attachExt ?? "",
      ...(p.to !== undefined && { to: p.to }),
    });
    return {};
  },
});

const inviteParams = {
  channelId: channelId(),
  from: accid(),
  to: accid(),
  requestId: requiredText(128),
  attachExt: attachExt(),
  ...pushParams,
  isSave: flag(),
  isRoute: flag(),
};

const invite = endpoint({
  module: "signal",
  action: "invite",
  summary: "Invite `to` into the room: their devices get INVITE; with isSave=1 it is also kept for devices that log in while it is open",
  params: z.object(inviteParams),
  async handler(ctx, p) {
    await signalling(ctx).invite(ctx.app.appKey, p.channelId, {
      from: p.from,
      to: p.to,
      requestId: p.requestId,
      attachExt: p.attachExt ?? "",
      save: p.isSave === 1,
    });
    return {};
  },
});

const cancelInvite = endpoint({
  module: "signal",
  action: "cancelInvite",
  summary: "Withdraw an open invitation: the invitee's devices get CANCEL_INVITE",
  params: z.object(inviteParams),
  async handler(ctx, p) {
    await signalling(ctx).room(ctx.app.appKey, p.channelId, {
      t: "cancel",
      from: p.from,
      to: p.to,
      requestId: p.requestId,
      attachExt: p.attachExt ?? "",
    });
    return {};
  },
});

const kick = endpoint({
  module: "signal",
  action: "kick",
  summary: "Remove member `to` from the room: every member's devices get KICK",
  params: z.object({ channelId: channelId(), from: accid(), to: accid(), attachExt: attachExt(), isSave: flag(), isRoute: flag() }),
  async handler(ctx, p) {
    await signalling(ctx).room(ctx.app.appKey, p.channelId, { t: "kick", from: p.from, to: p.to, attachExt: p.attachExt ?? "" });
    return {};
  },
});

export const signalEndpoints: readonly NimEndpoint[] = [
  createRoom,
  delayRoom,
  closeRoom,
  getRoomInfo,
  ctrlRoom,
  invite,
  cancelInvite,
  kick,
];
