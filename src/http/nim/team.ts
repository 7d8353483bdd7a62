import type { NimEndpoint } from "./endpoint.ts";
import { teamManageEndpoints } from "./team-manage.ts";
import { teamMemberEndpoints } from "./team-members.ts";
import { teamQueryEndpoints } from "./team-query.ts";

/** The `team/*` family of NIM's server API v1 (reference §3.7). */
export const teamEndpoints: readonly NimEndpoint[] = [...teamManageEndpoints, ...teamMemberEndpoints, ...teamQueryEndpoints];
