import type { NimEndpoint } from "./endpoint.ts";
import { friendEndpoints } from "./friend.ts";
import { historyEndpoints } from "./history.ts";
import { msgEndpoints } from "./msg.ts";
import { userEndpoints } from "./user.ts";
import { chatroomEndpoints } from "./chatroom.ts";

/** Every server-API endpoint this node answers. */
export const nimEndpoints: readonly NimEndpoint[] = [
  ...userEndpoints,
  ...friendEndpoints,
  ...msgEndpoints,
  ...historyEndpoints,
  ...chatroomEndpoints,
];
