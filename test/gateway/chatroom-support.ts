import { enterChatroom, type ChatroomEvents, type ChatroomHandle, type EnterChatroomOptions } from "nimbus/client";
import type { GatewayNode } from "./support.ts";

/** A chat room of `creator` made over REST; answers its id. */
export async function createRoom(gw: GatewayNode, creator: string, extra: Record<string, string> = {}): Promise<number> {
  const res = await gw.call("chatroom/create", { creator, name: "live", ...extra });
  if (res.code !== 200) throw new Error(`chatroom/create: ${JSON.stringify(res)}`);
  return (res.chatroom as { roomid: number }).roomid;
}

/** Enters a room through the SDK as `accid`, on `gw` (or the node at `url`). */
export function enter(
  gw: GatewayNode,
  roomid: number,
  accid: string,
  token: string,
  extra: Partial<EnterChatroomOptions> = {},
): Promise<ChatroomHandle> {
  return enterChatroom(roomid, { url: gw.url, appKey: gw.appKey, accid, token, ...extra });
}

/** Collects a handle's events of one kind. */
export function collect<K extends keyof ChatroomEvents>(h: ChatroomHandle, name: K): ChatroomEvents[K][] {
  const seen: ChatroomEvents[K][] = [];
  h.on(name, (e) => seen.push(e));
  return seen;
}

/** The next event of one kind, or a rejection after `ms`. */
export function nextOf<K extends keyof ChatroomEvents>(h: ChatroomHandle, name: K, ms = 5000): Promise<ChatroomEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(name)} event within ${ms} ms`)), ms);
    h.once(name, (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

/** A text message from `from` through REST chatroom/sendMsg. */
export async function restSend(
  gw: GatewayNode,
  roomid: number,
  from: string,
  msgId: string,
  attach: string,
  extra: Record<string, string> = {},
) {
  const res = await gw.call("chatroom/sendMsg", { roomid: String(roomid), msgId, fromAccid: from, msgType: "0", attach, ...extra });
  if (res.code !== 200) throw new Error(`chatroom/sendMsg: ${JSON.stringify(res)}`);
  return res.desc as unknown as { seq: number; msgid: number; time: number };
}
