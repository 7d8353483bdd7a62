import type { NimEndpoint } from "./endpoint.ts";
import { friendEndpoints } from "./friend.ts";
import { historyEndpoints } from "./history.ts";
import { msgEndpoints } from "./msg.ts";
import { userEndpoints } from "./user.ts";
import { eventSubscribeEndpoints } from "./event-subscribe.ts";

/** Every server-API endpoint this node answers. */
export const nimEndpoints: readonly NimEndpoint[] = [
  ...userEndpoints,
  ...friendEndpoints,
  ...msgEndpoints,
  ...historyEndpoints,
  ...eventSubscribeEndpoints,
];
