import type { Logger } from "pino";
import type { TeamsService } from "../teams/service.ts";
import type { LocalUser, LocalUserWatcher } from "./device-table.ts";
import type { SubjectTable } from "./subject-table.ts";
import { TeamTable } from "./team-table.ts";

/**
 * Keeps this node's team subscriptions in step with its users: when a user's first device
 * arrives, their teams (from their team index) are held before the device is told it is online
 * (subscribe first, then sync); a `teamMembership` event on the user's subject (they joined or
 * left a team) holds or releases that team; when their last device goes, they leave every team.
 */
export class TeamSubscriptions implements LocalUserWatcher {
  readonly table: TeamTable;

  constructor(
    subjects: SubjectTable,
    private readonly teams: Pick<TeamsService, "tidsOf">,
    private readonly log: Logger,
  ) {
    this.table = new TeamTable(subjects, log);
  }

  async userArrived(user: LocalUser): Promise<void> {
    try {
      const tids = await this.teams.tidsOf(user.appKey, user.accid);
      await Promise.all(tids.map((tid) => this.table.join(user, tid)));
    } catch (err) {
      // The device still logs in; its team messages come from the login sync and history.
      this.log.warn({ err, accid: user.accid }, "could not subscribe a user's teams");
    }
  }

  userGone(user: LocalUser): void {
    this.table.userGone(user);
  }

  /** The user joined (`member`) or left team `tid`. */
  membership(user: LocalUser, tid: unknown, member: unknown): void {
    if (typeof tid !== "string" || !/^[1-9]\d{0,15}$/.test(tid) || typeof member !== "boolean") {
      this.log.warn({ accid: user.accid }, "dropped a malformed team membership event");
      return;
    }
    if (member) void this.table.join(user, tid);
    else this.table.leave(user, tid);
  }
}
