import type { NimEndpoint } from "./endpoint.ts";
import { chatroomInfoEndpoints } from "./chatroom-info.ts";
import { chatroomMemberEndpoints } from "./chatroom-members.ts";
import { chatroomMessageEndpoints } from "./chatroom-msg.ts";
import { chatroomQueueEndpoints } from "./chatroom-queue.ts";
import { chatroomExtraEndpoints } from "./chatroom-extra.ts";

/** NIM's `chatroom/*` (and `history/queryChatroomMsg`). */
export const chatroomEndpoints: readonly NimEndpoint[] = [
  ...chatroomInfoEndpoints,
  ...chatroomMemberEndpoints,
  ...chatroomQueueEndpoints,
  ...chatroomMessageEndpoints,
  ...chatroomExtraEndpoints,
];
