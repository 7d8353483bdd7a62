import { z } from "zod";
import { chatroomAddress, type ChatroomProtocol } from "../../contracts/chatroom.ts";
import type { RequestOf, ReplyOf } from "../../runtime/actor-ref.ts";
import type { NimContext } from "./endpoint.ts";

/** A chat room id: a positive integer below 2^53. */
export function roomid() {
  return z
    .string({ error: "required" })
    .regex(/^[1-9]\d{0,15}$/, "must be a chat room id")
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), "must be a chat room id")
    .meta({ description: "chat room id" });
}

/** One question to a room's actor, in the calling app. */
export function askRoom<M extends RequestOf<ChatroomProtocol>>(
  ctx: NimContext,
  id: number,
  message: M,
): Promise<ReplyOf<ChatroomProtocol, M>> {
  return ctx.system.ask(chatroomAddress(ctx.app.appKey, id), message);
}

/** NIM limits of the room's info (seed and §3.9). */
export const NAME_MAX = 128;
export const ANNOUNCEMENT_MAX = 4096;
export const BROADCAST_URL_MAX = 1024;
export const ROOM_EXT_MAX = 4096;
export const NOTIFY_EXT_MAX = 2048;
