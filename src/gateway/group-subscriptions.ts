import type { LocalUser, LocalUserWatcher } from "./device-table.ts";
import type { TeamSubscriptions } from "./team-subscriptions.ts";

/**
 * A local user's group subscriptions: advanced teams and, when the node serves them, super teams
 * (each its own subject family and index). Both are held before the device is told it is online.
 */
export class GroupSubscriptions implements LocalUserWatcher {
  constructor(
    readonly teams: TeamSubscriptions,
    readonly superTeams?: TeamSubscriptions,
  ) {}

  async userArrived(user: LocalUser): Promise<void> {
    await Promise.all([this.teams.userArrived(user), this.superTeams?.userArrived(user)]);
  }

  userGone(user: LocalUser): void {
    this.teams.userGone(user);
    this.superTeams?.userGone(user);
  }
}
