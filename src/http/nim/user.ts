import type { NimEndpoint } from "./endpoint.ts";
import { accountEndpoints } from "./user-account.ts";
import { onlineEndpoints } from "./user-online.ts";
import { profileEndpoints } from "./user-profile.ts";
import { relationEndpoints } from "./user-relations.ts";

/** The `user/*` family of NIM's server API v1 (reference §3.1, §3.2, §3.4). */
export const userEndpoints: readonly NimEndpoint[] = [...accountEndpoints, ...profileEndpoints, ...relationEndpoints, ...onlineEndpoints];
