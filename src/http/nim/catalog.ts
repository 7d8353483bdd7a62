import type { NimEndpoint } from "./endpoint.ts";
import { friendEndpoints } from "./friend.ts";
import { historyEndpoints } from "./history.ts";
import { historyBroadcastEndpoints, msgBroadcastEndpoints } from "./msg-broadcast.ts";
import { msgEndpoints } from "./msg.ts";
import { teamEndpoints } from "./team.ts";
import { superTeamEndpoints } from "./superteam.ts";
import { jobEndpoints, msgUploadEndpoints } from "./msg-upload.ts";
import { signalEndpoints } from "./signal.ts";
import { userEndpoints } from "./user.ts";
import { chatroomEndpoints } from "./chatroom.ts";
import { eventSubscribeEndpoints } from "./event-subscribe.ts";

/** Every server-API endpoint this node answers. */
export const nimEndpoints: readonly NimEndpoint[] = [
  ...userEndpoints,
  ...friendEndpoints,
  ...msgEndpoints,
  ...historyEndpoints,
  ...teamEndpoints,
  ...superTeamEndpoints,
  ...msgBroadcastEndpoints,
  ...historyBroadcastEndpoints,
  ...msgUploadEndpoints,
  ...jobEndpoints,
  ...signalEndpoints,
  ...chatroomEndpoints,
  ...eventSubscribeEndpoints,
];
