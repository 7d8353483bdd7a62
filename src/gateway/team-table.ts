import type { Logger } from "pino";
import { decodeUserEventEnvelope, RESERVED_EVENT_NAMES, type EncodedUserEvent } from "../protocol/user-events.ts";
import { teamSubject } from "../protocol/team.ts";
import type { LocalUser } from "./device-table.ts";
import { pushFrameOf } from "./frames.ts";
import type { SubjectTable } from "./subject-table.ts";

/** One team with members connected to this node. */
interface LocalTeam {
  readonly subject: string;
  readonly members: Set<LocalUser>;
  /** Resolves once the subscription is in effect on the bus. */
  readonly subscribed: Promise<void>;
}

/**
 * Which teams have members connected to this node, and their bus subscriptions: the node holds
 * `team.<app>.<tid>` while at least one member of the team has a device here (DESIGN
 * "Delivery"). A team message is published once on that subject; here it is decoded once (its
 * envelope only), framed once, and the same bytes are written to every local member's devices —
 * no per-member publish, no per-member encode. The device it came from is skipped (it has its ack).
 */
export class TeamTable {
  private readonly teams = new Map<string, LocalTeam>();
  /** Per local user, the teams it is counted in: a user who goes away leaves them all. */
  private readonly byUser = new Map<LocalUser, Set<string>>();

  constructor(
    private readonly subjects: SubjectTable,
    private readonly log: Logger,
    /** The group's bus subject: teams by default; super teams pass theirs. */
    private readonly subjectOf: (appKey: string, tid: string) => string = teamSubject,
  ) {}

  /** Counts `user` in the team; the team's first local member subscribes. Answers once in effect. */
  join(user: LocalUser, tid: string): Promise<void> {
    const key = keyOf(user.appKey, tid);
    const mine = this.byUser.get(user) ?? new Set<string>();
    this.byUser.set(user, mine);
    const team = this.teams.get(key);
    if (team?.members.has(user)) return Promise.resolve();
    mine.add(key);
    if (team) {
      team.members.add(user);
      return team.subscribed;
    }
    const subject = this.subjectOf(user.appKey, tid);
    const members = new Set<LocalUser>([user]);
    const subscribed = this.subjects.hold(subject, (data) => this.deliver(subject, members, data));
    this.teams.set(key, { subject, members, subscribed });
    return subscribed;
  }

  /** `user` is no longer in the team (left, kicked, dismissed); the team's last local member unsubscribes. */
  leave(user: LocalUser, tid: string): void {
    const key = keyOf(user.appKey, tid);
    this.byUser.get(user)?.delete(key);
    this.drop(key, user);
  }

  /** `user` has no device here any more: out of every team. */
  userGone(user: LocalUser): void {
    const mine = this.byUser.get(user);
    if (!mine) return;
    this.byUser.delete(user);
    for (const key of mine) this.drop(key, user);
  }

  /** Teams with a local member now. */
  get size(): number {
    return this.teams.size;
  }

  private drop(key: string, user: LocalUser): void {
    const team = this.teams.get(key);
    if (!team || !team.members.delete(user)) return;
    if (team.members.size > 0) return;
    this.teams.delete(key);
    this.subjects.release(team.subject);
  }

  private deliver(subject: string, members: ReadonlySet<LocalUser>, data: Uint8Array): void {
    let event: EncodedUserEvent;
    try {
      event = decodeUserEventEnvelope(data);
    } catch (err) {
      this.log.warn({ err, subject }, "dropped a malformed team event");
      return;
    }
    if (RESERVED_EVENT_NAMES.has(event.ev)) {
      this.log.warn({ subject, ev: event.ev }, "dropped a team event with a reserved name");
      return;
    }
    const frame = pushFrameOf(event.ev, event.body);
    const origin = event.origin;
    for (const user of members) {
      const skip = origin !== undefined && origin.accid === user.accid ? origin.deviceId : undefined;
      for (const [deviceId, s] of user.devices) if (deviceId !== skip) s.deliver(frame);
    }
  }
}

function keyOf(appKey: string, tid: string): string {
  return `${appKey}\u0000${tid}`;
}
