import type { App, AppRegistry } from "../apps/registry.ts";
import {
  superTeamAddress,
  userSuperTeamsAddress,
  type MemberPage,
  type NewSuperTeam,
  type SuperTeamChanges,
  type SuperTeamMessage,
  type SuperTeamProtocol,
} from "../contracts/superteam.ts";
import type { UserTeamsMessage } from "../contracts/user-teams.ts";
import { userAddress } from "../contracts/user.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { SuperTeamInfo, SuperTeamMember } from "../protocol/superteam.ts";
import type { TeamMuteType } from "../protocol/team.ts";
import type { ReplyOf } from "../runtime/actor-ref.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { SequenceStore } from "../store/port.ts";
import { mapLimit } from "../util/map-limit.ts";
import { journalRetentionDays } from "../messaging/retention.ts";
import type { FailedAccounts } from "./service.ts";
import type { SystemNotification } from "../protocol/messages.ts";

export interface SuperTeamsDeps {
  system: ActorSystem;
  apps: AppRegistry;
  /** Where tids come from: the cluster-wide sequence `tid`, shared with teams. */
  sequences: SequenceStore;
}

const PARALLEL = 16;

/**
 * Super teams (NIM `superteam/*`) as the edges use them: checks what the edge could not (accounts
 * exist, the app's `tlevel` maximum, per-person join limits), asks the super team actor, which
 * checks permissions and writes the notification, then keeps each affected user's super team index
 * (usersuperteams) in step. A refusal is a NimbusError with NIM's code and changes nothing.
 */
export class SuperTeams {
  constructor(private readonly deps: SuperTeamsDeps) {}

  private app(appKey: string): App {
    const app = this.deps.apps.get(appKey);
    if (!app) throw new NimbusError("NOT_FOUND", `no app ${appKey}`);
    return app;
  }

  private ask<M extends SuperTeamMessage>(appKey: string, tid: string, m: M): Promise<ReplyOf<SuperTeamProtocol, M>> {
    return this.deps.system.ask(superTeamAddress(appKey, tid), m);
  }

  private index(appKey: string, accid: string, m: UserTeamsMessage): Promise<unknown> {
    return this.deps.system.ask(userSuperTeamsAddress(appKey, accid), m);
  }

  /** Accounts that exist and may join one more super team, and those that may not (NIM faccid). */
  private async admissible(app: App, accids: readonly string[]): Promise<{ ok: string[]; failed?: FailedAccounts }> {
    const rows = await mapLimit([...accids], PARALLEL, async (a) => {
      const [user, list] = await Promise.all([
        this.deps.system.ask(userAddress(app.appKey, a), { t: "get" }),
        this.deps.system.ask(userSuperTeamsAddress(app.appKey, a), { t: "list" }),
      ]);
      return user !== null && list.tids.length < app.limits.joinedTeamsPerUser;
    });
    const ok = accids.filter((_, i) => rows[i]);
    const bad = accids.filter((_, i) => !rows[i]);
    return { ok, ...(bad.length > 0 && { failed: { accid: bad, msg: "account does not exist or is in too many super teams" } }) };
  }

  private async requireAccount(appKey: string, accid: string, field: string): Promise<void> {
    if (!(await this.deps.system.ask(userAddress(appKey, accid), { t: "get" }))) {
      throw new NimbusError("NOT_FOUND", `${field}: account ${accid} does not exist`);
    }
  }

  /** The app's largest tlevel. */
  maxLevel(appKey: string): number {
    return this.app(appKey).limits.superTeamMembers;
  }

  async create(
    appKey: string,
    req: { owner: string; members: string[]; info: Omit<NewSuperTeam, "tlevel"> & { tlevel?: number }; msg: string },
  ): Promise<{ tid: string; faccid?: FailedAccounts }> {
    const app = this.app(appKey);
    const max = app.limits.superTeamMembers;
    const tlevel = req.info.tlevel ?? Math.min(2000, max);
    if (tlevel > max) throw new NimbusError("PARAM_ERROR", `tlevel: at most ${max} in this app`);
    await this.requireAccount(appKey, req.owner, "owner");
    const others = [...new Set(req.members)].filter((a) => a !== req.owner);
    if (others.length + 1 > tlevel)
      throw new NimbusError("TEAM_FULL", `inviteAccids: a super team of tlevel ${tlevel} holds at most ${tlevel}`);
    const { ok, failed } = await this.admissible(app, others);
    const tid = String(await this.deps.sequences.reserve("tid", 1));
    const { added } = await this.ask(appKey, tid, {
      t: "create",
      info: { ...req.info, tlevel },
      owner: req.owner,
      members: ok,
      msg: req.msg,
      retainDays: journalRetentionDays(app),
    });
    await this.index(appKey, req.owner, { t: "join", tids: [tid], created: true });
    await mapLimit(
      added.filter((a) => a !== req.owner),
      PARALLEL,
      (a) => this.index(appKey, a, { t: "join", tids: [tid] }),
    );
    return { tid, ...(failed && { faccid: failed }) };
  }

  async invite(appKey: string, req: { tid: string; by: string; members: string[]; msg: string }): Promise<{ faccid?: FailedAccounts }> {
    const app = this.app(appKey);
    const { ok, failed } = await this.admissible(app, req.members);
    if (ok.length === 0) return { ...(failed && { faccid: failed }) };
    const { added } = await this.ask(appKey, req.tid, { t: "invite", ...req, members: ok, retainDays: journalRetentionDays(app) });
    await mapLimit(added, PARALLEL, (a) => this.index(appKey, a, { t: "join", tids: [req.tid] }));
    return { ...(failed && { faccid: failed }) };
  }

  async kick(appKey: string, req: { tid: string; by: string; members: string[] }): Promise<void> {
    const app = this.app(appKey);
    const { removed } = await this.ask(appKey, req.tid, { t: "kick", ...req, retainDays: journalRetentionDays(app) });
    await mapLimit(removed, PARALLEL, (a) => this.index(appKey, a, { t: "left", tid: req.tid }));
  }

  async dismiss(appKey: string, req: { tid: string; by: string }): Promise<void> {
    const app = this.app(appKey);
    const { members } = await this.ask(appKey, req.tid, { t: "dismiss", ...req, retainDays: journalRetentionDays(app) });
    await this.index(appKey, req.by, { t: "left", tid: req.tid, uncreate: true });
    await mapLimit(
      members.filter((a) => a !== req.by),
      PARALLEL,
      (a) => this.index(appKey, a, { t: "left", tid: req.tid }),
    );
  }

  async leave(appKey: string, req: { tid: string; accid: string }): Promise<void> {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "leave", ...req, retainDays: journalRetentionDays(app) });
    await this.index(appKey, req.accid, { t: "left", tid: req.tid });
  }

  async changeOwner(appKey: string, req: { tid: string; by: string; newOwner: string; leave: boolean }): Promise<void> {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "changeOwner", ...req, retainDays: journalRetentionDays(app) });
    if (req.leave) await this.index(appKey, req.by, { t: "left", tid: req.tid });
  }

  async managers(appKey: string, req: { tid: string; by: string; members: string[]; add: boolean }): Promise<void> {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "managers", ...req, retainDays: journalRetentionDays(app) });
  }

  async muteAll(appKey: string, req: { tid: string; by: string; muteType: TeamMuteType }): Promise<void> {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "muteAll", ...req, retainDays: journalRetentionDays(app) });
  }

  async muteMembers(appKey: string, req: { tid: string; by: string; members: string[]; mute: boolean }): Promise<void> {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "muteMembers", ...req, retainDays: journalRetentionDays(app) });
  }

  async changeLevel(appKey: string, req: { tid: string; by: string; tlevel: number }): Promise<SuperTeamInfo> {
    const app = this.app(appKey);
    if (req.tlevel > app.limits.superTeamMembers)
      throw new NimbusError("PARAM_ERROR", `tlevel: at most ${app.limits.superTeamMembers} in this app`);
    return this.ask(appKey, req.tid, { t: "changeLevel", ...req, retainDays: journalRetentionDays(app) });
  }

  async update(appKey: string, req: { tid: string; by: string; changes: SuperTeamChanges }): Promise<SuperTeamInfo> {
    const app = this.app(appKey);
    return this.ask(appKey, req.tid, { t: "update", ...req, retainDays: journalRetentionDays(app) });
  }

  async updateMember(
    appKey: string,
    req: { tid: string; by: string; accid: string; nick?: string; custom?: string; notifyOff?: boolean },
  ): Promise<SuperTeamMember> {
    this.app(appKey);
    return this.ask(appKey, req.tid, { t: "updateMember", ...req });
  }

  /** Super teams that exist, in the order asked; the others left out. */
  async getMany(appKey: string, tids: string[]): Promise<SuperTeamInfo[]> {
    this.app(appKey);
    const infos = await mapLimit(tids, PARALLEL, (tid) => this.ask(appKey, tid, { t: "get" }));
    return infos.filter((i): i is SuperTeamInfo => i !== null && i.valid);
  }

  async members(appKey: string, tid: string, page: MemberPage): Promise<SuperTeamMember[]> {
    this.app(appKey);
    return this.ask(appKey, tid, { t: "members", ...page });
  }

  async tidsOf(appKey: string, accid: string): Promise<string[]> {
    this.app(appKey);
    const { tids } = await this.deps.system.ask(userSuperTeamsAddress(appKey, accid), { t: "list" });
    return tids;
  }

  /** The super teams `accid` is in (the actor is the truth: an index step left behind shows nothing). */
  async joined(appKey: string, accid: string): Promise<SuperTeamInfo[]> {
    const tids = await this.tidsOf(appKey, accid);
    const live = await mapLimit(tids, PARALLEL, async (tid) => ((await this.ask(appKey, tid, { t: "member", accid })) ? tid : null));
    return this.getMany(
      appKey,
      live.filter((t): t is string => t !== null),
    );
  }

  async customNotify(appKey: string, req: { tid: string; from: string; attach: string }): Promise<SystemNotification> {
    this.app(appKey);
    return this.ask(appKey, req.tid, { t: "notifyMembers", from: req.from, attach: req.attach });
  }
}
