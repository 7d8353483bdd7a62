import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEventOf, userSubject } from "../../src/protocol/user-events.ts";
import { TEAM_MEMBERSHIP_EVENT, type TeamMembershipEvent } from "../../src/protocol/team.ts";
import type { UserTeamsMessage } from "../../src/contracts/user-teams.ts";
import { USER_SUPER_TEAMS_KIND } from "../../src/contracts/superteam.ts";
import { SUPER_TEAM_MEMBERSHIP_EVENT } from "../../src/protocol/superteam.ts";

/** Lists longer than this get a Set for lookups. */
const INDEXED_FROM = 32;

export interface UserTeamsState {
  /** Teams joined, oldest first (a list: tids are decimal strings, but a list never meets `__proto__`). */
  tids: string[];
  /** Teams this user created that still exist. */
  created: number;
}

/**
 * One user's team index (`userteams/<appKey>/<accid>`): see src/contracts/user-teams.ts. Saved
 * before it answers; each change is published to the user's devices (and gateways, which hold or
 * release the team's subject) as a `teamMembership` event.
 */
export class UserTeamsActor extends Actor<UserTeamsState> {
  /**
   * For a long list only: most users are in a few teams, and one Set per active user (10,000 for
   * one super team's members) costs more than the list it indexes.
   */
  private index: Set<string> | undefined;

  initialState(): UserTeamsState {
    return { tids: [], created: 0 };
  }

  override onActivate(): void {
    this.reindex();
  }

  private has(tid: string): boolean {
    return this.index ? this.index.has(tid) : this.state.tids.includes(tid);
  }

  private reindex(): void {
    this.index = this.state.tids.length > INDEXED_FROM ? new Set(this.state.tids) : undefined;
  }

  async receive(message: unknown): Promise<unknown> {
    const m = message as UserTeamsMessage;
    switch (m.t) {
      case "list":
        return { tids: [...this.state.tids], created: this.state.created };
      case "join": {
        const fresh = m.tids.filter((t) => !this.has(t));
        if (fresh.length === 0 && !m.created) return null;
        // concat sizes the list exactly (a spread leaves room to grow in every user's list).
        await this.save({ tids: this.state.tids.concat(fresh), created: this.state.created + (m.created ? 1 : 0) });
        for (const tid of fresh) this.announce({ tid, member: true });
        return null;
      }
      case "left": {
        if (!this.has(m.tid)) return null;
        const created = Math.max(0, this.state.created - (m.uncreate ? 1 : 0));
        await this.save({ tids: this.state.tids.filter((t) => t !== m.tid), created });
        this.announce({ tid: m.tid, member: false });
        return null;
      }
      case "owned":
        await this.save({ tids: this.state.tids, created: Math.max(0, this.state.created + m.delta) });
        return null;
      default:
        throw new NimbusError("PARAM_ERROR", `unknown userteams message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private async save(next: UserTeamsState): Promise<void> {
    const before = this.state;
    this.state = next;
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = before;
      throw err;
    }
    this.reindex();
  }

  private announce(event: TeamMembershipEvent): void {
    // The same index serves super teams (kind usersuperteams): their gateways hold a different subject.
    const name = this.ctx.kind === USER_SUPER_TEAMS_KIND ? SUPER_TEAM_MEMBERSHIP_EVENT : TEAM_MEMBERSHIP_EVENT;
    this.ctx.publish(userSubject(this.ctx.appKey, this.ctx.id), encodeUserEventOf(name, event));
  }
}
