import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";

/**
 * One user's index of teams (`userteams/<appKey>/<accid>`): which teams they are in and how many
 * they created, for NIM's per-person limits (created ≤ 100, joined ≤ 5,000), the team list of
 * `team/joinTeams`, the login sync and the gateway's team subscriptions. The team actors are the
 * truth about membership; the teams service keeps this index in step after each change, with
 * idempotent steps (adding a tid twice or removing an absent one changes nothing).
 */
export type UserTeamsProtocol = {
  list: { request: object; reply: { tids: string[]; created: number } };
  /** Adds tids (joined); `created` counts a team this user created. Publishes membership events. */
  join: { request: { tids: string[]; created?: boolean }; reply: null };
  /** Removes a tid (left, kicked, dismissed); `created`: the user had created it (it is dismissed). */
  left: { request: { tid: string; uncreate?: boolean }; reply: null };
  /** The user became (+1) or stopped being (-1) a team's owner: `created` counts teams owned. */
  owned: { request: { delta: 1 | -1 }; reply: null };
};

export type UserTeamsMessage = RequestOf<UserTeamsProtocol>;

export const USER_TEAMS_KIND = "userteams";

export function userTeamsAddress(appKey: string, accid: string): ActorRef<UserTeamsProtocol> {
  return actorRef<UserTeamsProtocol>(USER_TEAMS_KIND, appKey, accid);
}
