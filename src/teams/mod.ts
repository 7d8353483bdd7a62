import { Teams, type TeamsDeps } from "./teams.ts";
import type { TeamsService } from "./service.ts";

export type { TeamsService, FailedAccounts } from "./service.ts";
export { TEAM_MEMBERS_MAX } from "./teams.ts";
export type { ClientTeamOperation, TeamOperationCheck, TeamOperationOrigin } from "./operations.ts";

/** The node's advanced-teams service. */
export function createTeamsService(deps: TeamsDeps): TeamsService {
  return new Teams(deps);
}
