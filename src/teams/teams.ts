import type { App, AppRegistry } from "../apps/registry.ts";
import { teamAddress, type TeamMessage, type TeamProtocol } from "../contracts/team.ts";
import { userTeamsAddress, type UserTeamsMessage } from "../contracts/user-teams.ts";
import { userAddress } from "../contracts/user.ts";
import { teamNoticesAddress } from "../contracts/team-notices.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { TeamView } from "../protocol/team.ts";
import type { ReplyOf } from "../runtime/actor-ref.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { SequenceStore } from "../store/port.ts";
import { mapLimit } from "../util/map-limit.ts";
import { journalRetentionDays } from "../messaging/retention.ts";
import type { FailedAccounts, TeamsService } from "./service.ts";

export interface TeamsDeps {
  system: ActorSystem;
  apps: AppRegistry;
  /** Where tids come from: the cluster-wide sequence `tid`. */
  sequences: SequenceStore;
}

/** Asks of one batch (account checks, index steps) in flight at once. */
const PARALLEL = 16;
/** NIM's largest team, whatever an app configures. */
export const TEAM_MEMBERS_MAX = 500;

/** See service.ts. */
export class Teams implements TeamsService {
  constructor(private readonly deps: TeamsDeps) {}

  private app(appKey: string): App {
    const app = this.deps.apps.get(appKey);
    if (!app) throw new NimbusError("NOT_FOUND", `no app ${appKey}`);
    return app;
  }

  private ask<M extends TeamMessage>(appKey: string, tid: string, m: M): Promise<ReplyOf<TeamProtocol, M>> {
    return this.deps.system.ask(teamAddress(appKey, tid), m);
  }

  private index(appKey: string, accid: string, m: UserTeamsMessage): Promise<unknown> {
    return this.deps.system.ask(userTeamsAddress(appKey, accid), m);
  }

  private retain(app: App): number {
    return journalRetentionDays(app);
  }

  /** Every account exists (404 naming the first that does not, by `field`). */
  private async requireAccounts(appKey: string, accids: readonly string[], field: string): Promise<void> {
    const records = await mapLimit([...accids], PARALLEL, (a) => this.deps.system.ask(userAddress(appKey, a), { t: "get" }));
    records.forEach((r, i) => {
      if (!r) throw new NimbusError("NOT_FOUND", `${field}: account ${accids[i]} does not exist`);
    });
  }

  /** The accounts that may join one more team (under the app's joined limit), and those that may not. */
  private async underJoinLimit(app: App, accids: readonly string[]): Promise<{ ok: string[]; full: string[] }> {
    const lists = await mapLimit([...accids], PARALLEL, (a) => this.deps.system.ask(userTeamsAddress(app.appKey, a), { t: "list" }));
    const ok: string[] = [];
    const full: string[] = [];
    lists.forEach((l, i) => (l.tids.length >= app.limits.joinedTeamsPerUser ? full : ok).push(accids[i]!));
    return { ok, full };
  }

  private async joinedIndex(appKey: string, tid: string, accids: readonly string[]): Promise<void> {
    await mapLimit([...accids], PARALLEL, (a) => this.index(appKey, a, { t: "join", tids: [tid] }));
  }

  private async leftIndex(appKey: string, tid: string, accids: readonly string[]): Promise<void> {
    await mapLimit([...accids], PARALLEL, (a) => this.index(appKey, a, { t: "left", tid }));
  }

  async create(appKey: string, req: Parameters<TeamsService["create"]>[1]) {
    const app = this.app(appKey);
    const others = req.members.filter((a) => a !== req.owner);
    const appMax = Math.min(app.limits.teamMembers, TEAM_MEMBERS_MAX);
    const maxusers = req.info.maxusers ?? appMax;
    if (maxusers > appMax) throw new NimbusError("PARAM_ERROR", `teamMemberLimit: at most ${appMax} in this app`);
    if (others.length + 1 > maxusers) throw new NimbusError("TEAM_FULL", `members: a team holds at most ${maxusers} (the owner included)`);
    await this.requireAccounts(appKey, [req.owner], "owner");
    await this.requireAccounts(appKey, others, "members");
    const owned = await this.deps.system.ask(userTeamsAddress(appKey, req.owner), { t: "list" });
    if (owned.created >= app.limits.createdTeamsPerUser!) {
      throw new NimbusError("TEAM_CREATE_LIMIT", `owner: ${req.owner} has created ${owned.created} teams, the most this app allows`);
    }
    if (owned.tids.length >= app.limits.joinedTeamsPerUser) {
      throw new NimbusError("TEAM_CREATE_LIMIT", `owner: ${req.owner} is in ${owned.tids.length} teams, the most this app allows`);
    }
    const { ok, full } = await this.underJoinLimit(app, others);
    const tid = String(await this.deps.sequences.reserve("tid", 1));
    const { view, invited } = await this.ask(appKey, tid, {
      t: "create",
      info: { ...req.info, maxusers },
      owner: req.owner,
      members: ok,
      magree: req.magree,
      msg: req.msg,
      retainDays: this.retain(app),
    });
    await this.index(appKey, req.owner, { t: "join", tids: [tid], created: true });
    await this.joinedIndex(
      appKey,
      tid,
      view.members.map((m) => m.accid).filter((a) => a !== req.owner),
    );
    void invited;
    return { tid, ...(full.length > 0 && { faccid: failed(full, "in too many teams") }) };
  }

  async invite(appKey: string, req: Parameters<TeamsService["invite"]>[1]) {
    const app = this.app(appKey);
    await this.requireAccounts(appKey, req.members, "members");
    const { ok, full } = await this.underJoinLimit(app, req.members);
    if (ok.length === 0) return { added: [], invited: [], faccid: failed(full, "in too many teams") };
    const r = await this.ask(appKey, req.tid, {
      t: "invite",
      by: req.by,
      members: ok,
      magree: req.magree,
      msg: req.msg,
      ...(req.attach !== undefined && { attach: req.attach }),
      retainDays: this.retain(app),
      byServer: req.byServer,
    });
    await this.joinedIndex(appKey, req.tid, r.added);
    return { ...r, ...(full.length > 0 && { faccid: failed(full, "in too many teams") }) };
  }

  async kick(appKey: string, req: Parameters<TeamsService["kick"]>[1]) {
    const app = this.app(appKey);
    const { removed } = await this.ask(appKey, req.tid, { t: "kick", ...req, retainDays: this.retain(app) });
    await this.leftIndex(appKey, req.tid, removed);
  }

  async dismiss(appKey: string, req: Parameters<TeamsService["dismiss"]>[1]) {
    const app = this.app(appKey);
    const { members } = await this.ask(appKey, req.tid, { t: "dismiss", ...req, retainDays: this.retain(app) });
    await this.index(appKey, req.by, { t: "left", tid: req.tid, uncreate: true });
    await this.leftIndex(
      appKey,
      req.tid,
      members.filter((a) => a !== req.by),
    );
  }

  async update(appKey: string, req: Parameters<TeamsService["update"]>[1]) {
    const app = this.app(appKey);
    const appMax = Math.min(app.limits.teamMembers, TEAM_MEMBERS_MAX);
    if (req.changes.maxusers !== undefined && req.changes.maxusers > appMax) {
      throw new NimbusError("PARAM_ERROR", `teamMemberLimit: at most ${appMax} in this app`);
    }
    return this.ask(appKey, req.tid, { t: "update", ...req, retainDays: this.retain(app) });
  }

  async get(appKey: string, tid: string): Promise<TeamView> {
    this.app(appKey);
    const view = await this.ask(appKey, tid, { t: "get" });
    if (!view || !view.info.valid) throw new NimbusError("TEAM_NOT_FOUND", `tid: team ${tid} does not exist`);
    return view;
  }

  async getMany(appKey: string, tids: string[], ignoreInvalid: boolean): Promise<TeamView[]> {
    this.app(appKey);
    const views = await mapLimit(tids, PARALLEL, (tid) => this.ask(appKey, tid, { t: "get" }));
    const out: TeamView[] = [];
    views.forEach((v, i) => {
      if (v && v.info.valid) out.push(v);
      else if (!ignoreInvalid) throw new NimbusError("TEAM_NOT_FOUND", `tids: team ${tids[i]} does not exist`);
    });
    return out;
  }

  async changeOwner(appKey: string, req: Parameters<TeamsService["changeOwner"]>[1]) {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "changeOwner", ...req, retainDays: this.retain(app) });
    await this.index(appKey, req.by, { t: "owned", delta: -1 });
    await this.index(appKey, req.newOwner, { t: "owned", delta: 1 });
    if (req.leave) await this.leftIndex(appKey, req.tid, [req.by]);
  }

  async managers(appKey: string, req: Parameters<TeamsService["managers"]>[1]) {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "managers", ...req, retainDays: this.retain(app) });
  }

  async updateMember(appKey: string, req: Parameters<TeamsService["updateMember"]>[1]) {
    this.app(appKey);
    return this.ask(appKey, req.tid, { t: "updateMember", ...req });
  }

  async muteMember(appKey: string, req: Parameters<TeamsService["muteMember"]>[1]) {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "muteMember", ...req, retainDays: this.retain(app) });
  }

  async muteAll(appKey: string, req: Parameters<TeamsService["muteAll"]>[1]) {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "muteAll", ...req, retainDays: this.retain(app) });
  }

  async leave(appKey: string, req: Parameters<TeamsService["leave"]>[1]) {
    const app = this.app(appKey);
    await this.ask(appKey, req.tid, { t: "leave", ...req, retainDays: this.retain(app) });
    await this.leftIndex(appKey, req.tid, [req.accid]);
  }

  async setNotify(appKey: string, req: Parameters<TeamsService["setNotify"]>[1]) {
    this.app(appKey);
    await this.ask(appKey, req.tid, { t: "setNotify", ...req });
  }

  async apply(appKey: string, req: Parameters<TeamsService["apply"]>[1]) {
    const app = this.app(appKey);
    await this.requireUnderJoinLimit(app, req.accid);
    const r = await this.ask(appKey, req.tid, { t: "apply", ...req, retainDays: this.retain(app) });
    if (r.joined) await this.joinedIndex(appKey, req.tid, [req.accid]);
    return r;
  }

  async answerApply(appKey: string, req: Parameters<TeamsService["answerApply"]>[1]) {
    const app = this.app(appKey);
    if (req.pass) await this.requireUnderJoinLimit(app, req.accid);
    const r = await this.ask(appKey, req.tid, { t: "answerApply", ...req, retainDays: this.retain(app) });
    if (r.joined) await this.joinedIndex(appKey, req.tid, [req.accid]);
    return r;
  }

  async answerInvite(appKey: string, req: Parameters<TeamsService["answerInvite"]>[1]) {
    const app = this.app(appKey);
    if (req.accept) await this.requireUnderJoinLimit(app, req.accid);
    const r = await this.ask(appKey, req.tid, { t: "answerInvite", ...req, retainDays: this.retain(app) });
    if (r.joined) await this.joinedIndex(appKey, req.tid, [req.accid]);
    return r;
  }

  private async requireUnderJoinLimit(app: App, accid: string): Promise<void> {
    const { full } = await this.underJoinLimit(app, [accid]);
    if (full.length > 0)
      throw new NimbusError("QUANTITY_LIMIT", `accid: ${accid} is in ${app.limits.joinedTeamsPerUser} teams, the most this app allows`);
  }

  async tidsOf(appKey: string, accid: string): Promise<string[]> {
    this.app(appKey);
    const { tids } = await this.deps.system.ask(userTeamsAddress(appKey, accid), { t: "list" });
    return tids;
  }

  async joined(appKey: string, accid: string): Promise<TeamView[]> {
    const tids = await this.tidsOf(appKey, accid);
    // The team actor is the truth: an index left behind by a crash between the two steps shows no team the user is not in.
    return (await this.getMany(appKey, tids, true)).filter((v) => v.members.some((m) => m.accid === accid));
  }

  async customNotify(appKey: string, req: Parameters<TeamsService["customNotify"]>[1]) {
    const app = this.app(appKey);
    if (req.save) {
      const m = { t: "notify", from: req.from, attach: req.attach, retainDays: app.limits.offlineDays } as const;
      return this.deps.system.ask(teamNoticesAddress(appKey, req.tid), m);
    }
    return this.ask(appKey, req.tid, { t: "notifyMembers", from: req.from, attach: req.attach });
  }

  async markRead(appKey: string, req: Parameters<TeamsService["markRead"]>[1]) {
    this.app(appKey);
    return this.ask(appKey, req.tid, { t: "markReadMsgids", accid: req.accid, msgids: req.msgids });
  }

  async readInfo(appKey: string, req: Parameters<TeamsService["readInfo"]>[1]) {
    this.app(appKey);
    return this.ask(appKey, req.tid, { t: "readInfo", msgid: req.msgid, from: req.from });
  }
}

function failed(accid: string[], msg: string): FailedAccounts {
  return { accid, msg };
}
