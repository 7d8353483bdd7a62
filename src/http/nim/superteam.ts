import type { NimEndpoint } from "./endpoint.ts";
import { superTeamManageEndpoints } from "./superteam-manage.ts";
import { superTeamMsgEndpoints } from "./superteam-msg.ts";
import { superTeamQueryEndpoints } from "./superteam-query.ts";

/** The `superteam/*` family of NIM's server API v1 (reference §3.8). */
export const superTeamEndpoints: readonly NimEndpoint[] = [
  ...superTeamManageEndpoints,
  ...superTeamQueryEndpoints,
  ...superTeamMsgEndpoints,
];
