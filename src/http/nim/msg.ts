import type { NimEndpoint } from "./endpoint.ts";
import { msgDeleteEndpoints } from "./msg-delete.ts";
import { msgManageEndpoints } from "./msg-manage.ts";
import { msgNotifyEndpoints } from "./msg-notify.ts";
import { msgSendEndpoints } from "./msg-send.ts";

/** The `msg/*` family of NIM's server API v1 (reference §3.5): p2p and team messages, notifications, deletes, broadcasts. */
export const msgEndpoints: readonly NimEndpoint[] = [
  ...msgSendEndpoints,
  ...msgManageEndpoints,
  ...msgNotifyEndpoints,
  ...msgDeleteEndpoints,
];
