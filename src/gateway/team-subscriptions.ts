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
    /** The group's bus subject (super teams pass theirs; the same table and index protocol serve both). */
    subjectOf?: (appKey: string, tid: string) => string,
  ) {
    this.table = new TeamTable(subjects, log, subjectOf);
  }

  /** Users whose team list is being read, and the teams they left meanwhile (the list may predate that). */
  private readonly arriving = new Map<LocalUser, Set<string>>();

  async userArrived(user: LocalUser): Promise<void> {
    const leftMeanwhile = new Set<string>();
    this.arriving.set(user, leftMeanwhile);
    try {
      const tids = await this.teams.tidsOf(user.appKey, user.accid);
      // Gone while the list was read: userGone ran already and must not be undone.
      if (this.arriving.get(user) !== leftMeanwhile) return;
      await Promise.all(tids.filter((tid) => !leftMeanwhile.has(tid)).map((tid) => this.table.join(user, tid)));
    } catch (err) {
      // The device still logs in; its team messages come from the login sync and history.
      this.log.warn({ err, accid: user.accid }, "could not subscribe a user's teams");
    } finally {
      if (this.arriving.get(user) === leftMeanwhile) this.arriving.delete(user);
    }
  }

  userGone(user: LocalUser): void {
    this.arriving.delete(user);
    this.table.userGone(user);
  }

  /** The user joined (`member`) or left team `tid`. */
  membership(user: LocalUser, tid: unknown, member: unknown): void {
    if (typeof tid !== "string" || !/^[1-9]\d{0,15}$/.test(tid) || typeof member !== "boolean") {
      this.log.warn({ accid: user.accid }, "dropped a malformed team membership event");
      return;
    }
    if (member) {
      this.arriving.get(user)?.delete(tid);
      void this.table.join(user, tid);
    } else {
      this.arriving.get(user)?.add(tid);
      this.table.leave(user, tid);
    }
  }
}
