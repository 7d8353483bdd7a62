import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEventOf } from "../../src/protocol/user-events.ts";
import { messageOf } from "../../src/conversation/entry.ts";
import { MessagingEvents, type ReadReceipt, type SystemNotification } from "../../src/protocol/messages.ts";
import {
  SuperTeamOps,
  superTeamConversationId,
  superTeamSubject,
  type SuperTeamInfo,
  type SuperTeamMember,
  type SuperTeamNotificationBody,
  type SuperTeamOp,
} from "../../src/protocol/superteam.ts";
import type { TeamRole } from "../../src/protocol/team.ts";
import {
  SUPER_TEAM_BUCKETS,
  superTeamBucketAddress,
  superTeamBucketOf,
  type PackedSuperTeamMember,
  type StoredSuperTeamMember,
  type SuperTeamMessage,
} from "../../src/contracts/superteam.ts";
import { interner, packMember, unpackMember } from "./member-record.ts";
import { JoinOrder } from "./join-order.ts";
import { MemberList } from "./member-list.ts";
import { chainInputOf, JournalChain, type ChainAnswer } from "../conversation/journal-chain.ts";
import { GroupJournal, type PositionAnswer } from "../conversation/group-journal.ts";
import { requireManager, requireMayInvite, requireMaySend, requireOutranks, requireOwner } from "../team/permissions.ts";

/**
 * Saved state: the settings only. Members live in SUPER_TEAM_BUCKETS bucket actors (bucket.ts),
 * so a join, kick or mute rewrites one bucket, and activation reads none: a bucket is loaded when
 * one of its members first acts (send, read mark) or when a page of members is asked for.
 */
export interface SuperTeamState {
  info: SuperTeamInfo | null;
  /** The newest member's join time: each join takes a later ms, so paging by join time (timetag) skips nobody. */
  lastJoinAt?: number;
}

type Req<T extends SuperTeamMessage["t"]> = Extract<SuperTeamMessage, { t: T }>;

/**
 * One super team (`superteam/<appKey>/<tid>`, NIM 超大群): up to `tlevel` (≤ 10,000) members. Like
 * the team actor it keeps its conversation with the shared JournalChain and GroupJournal (gap-free
 * seqs, dedup, acks once stored, one publish per message on `superteam.<app>.<tid>`) and writes
 * each change as a notification (ops 401–411); unlike it, its member list is bucketed and never
 * held or written whole, and a member's read position moves only when they mark it (no write per
 * member per message).
 */
export class SuperTeamActor extends Actor<SuperTeamState> {
  private readonly chain = new JournalChain(this.ctx, superTeamConversationId(this.ctx.id));
  private readonly group = new GroupJournal(this.ctx, this.chain, () => ({
    subject: superTeamSubject(this.ctx.appKey, this.tid),
    conv: superTeamConversationId(this.tid),
    label: `super team ${this.tid}`,
  }));
  /** Buckets loaded by this activation, packed: the bucket actors hold the truth, written only from here. */
  private readonly buckets = new Map<number, MemberList>();
  private readonly intern = interner();
  /** Every member by join time, once all buckets are loaded (a page reads it instead of sorting). */
  private joinOrder: JoinOrder | undefined;

  initialState(): SuperTeamState {
    return { info: null, lastJoinAt: 0 };
  }

  override async onActivate(): Promise<void> {
    await this.chain.activate();
  }

  receive(message: unknown): unknown {
    const m = message as SuperTeamMessage;
    switch (m.t) {
      case "get":
        return this.state.info ? { ...this.state.info } : null;
      case "send":
        return this.send(m);
      case "create":
        return this.create(m);
      case "invite":
        return this.invite(m);
      case "kick":
        return this.kick(m);
      case "dismiss":
        return this.dismiss(m);
      case "update":
        return this.update(m);
      case "changeLevel":
        return this.changeLevel(m);
      case "changeOwner":
        return this.changeOwner(m);
      case "managers":
        return this.managers(m);
      case "updateMember":
        return this.updateMember(m);
      case "muteMembers":
        return this.muteMembers(m);
      case "muteAll":
        return this.muteAll(m);
      case "leave":
        return this.leave(m);
      case "members":
        return this.page(m);
      case "member":
        return this.memberIfLive(m.accid).then((x) => (x ? shown(x) : null));
      case "notifyMembers":
        return this.notifyMembers(m);
      case "position":
        return this.position(m.accid);
      case "hideSession":
        return this.hideSession(m.accid);
      case "markRead":
        return this.markRead(m.reader, m.seq);
      case "recall":
        this.live();
        return this.group.recall(m);
      case "delete":
        this.live();
        return this.group.deleteForAll(m.from, m.msgid);
      case "deleteOneWay":
        this.live();
        return this.group.deleteOneWay(m.accid, m.msgid);
      case "lookup":
        return this.group.lookup(m.clientMsgId);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown super team message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private get tid(): string {
    return this.ctx.id;
  }

  private live(): SuperTeamInfo {
    const info = this.state.info;
    if (!info || !info.valid) throw new NimbusError("TEAM_NOT_FOUND", `tid: super team ${this.tid} does not exist`);
    return info;
  }

  // ---- members, bucketed ----------------------------------------------------------------------

  private async bucket(n: number): Promise<MemberList> {
    const known = this.buckets.get(n);
    if (known) return known;
    const list = await this.ctx.ask(superTeamBucketAddress(this.ctx.appKey, this.tid, n), { t: "load" });
    // Another turn may have loaded it meanwhile (reads run in turns, but asks interleave nothing here).
    const loaded = this.buckets.get(n) ?? MemberList.of(list.map((x) => packMember(x, this.intern)));
    this.buckets.set(n, loaded);
    return loaded;
  }

  private async memberOf(accid: string): Promise<StoredSuperTeamMember | undefined> {
    const packed = (await this.bucket(superTeamBucketOf(accid))).get(accid);
    return packed && unpackMember(packed);
  }

  private async memberIfLive(accid: string): Promise<StoredSuperTeamMember | undefined> {
    if (!this.state.info?.valid) return undefined;
    return this.memberOf(accid);
  }

  /** The acting member; 804 when `by` is not in the super team. */
  private async actor(by: string): Promise<StoredSuperTeamMember> {
    const m = await this.memberOf(by);
    if (!m) throw new NimbusError("TEAM_NOT_MEMBER", `${by} is not a member of super team ${this.tid}`);
    return m;
  }

  private async target(accid: string, field: string): Promise<StoredSuperTeamMember> {
    const m = await this.memberOf(accid);
    if (!m) throw new NimbusError("TEAM_NOT_MEMBER", `${field}: ${accid} is not a member of super team ${this.tid}`);
    return m;
  }

  private async allBuckets(): Promise<MemberList[]> {
    const out: MemberList[] = [];
    for (let n = 0; n < SUPER_TEAM_BUCKETS; n++) out.push(await this.bucket(n));
    return out;
  }

  /** Writes the members changed (one bucket each touched) and then the cache; nothing cached changes if a write fails. */
  private async writeMembers(put: readonly StoredSuperTeamMember[], remove: readonly string[] = []): Promise<void> {
    const byBucket = new Map<number, { put: PackedSuperTeamMember[]; remove: string[] }>();
    const slot = (accid: string) => {
      const n = superTeamBucketOf(accid);
      let s = byBucket.get(n);
      if (!s) byBucket.set(n, (s = { put: [], remove: [] }));
      return s;
    };
    for (const x of put) slot(x.accid).put.push(packMember(x, this.intern));
    for (const a of remove) slot(a).remove.push(a);
    await Promise.all(
      [...byBucket].map(([n, w]) => this.ctx.ask(superTeamBucketAddress(this.ctx.appKey, this.tid, n), { t: "write", ...w })),
    );
    const order = this.joinOrder;
    for (const [n, w] of byBucket) {
      const b = this.buckets.get(n);
      if (!b) {
        // A bucket not loaded: the join order (built from all of them) cannot know this change.
        this.joinOrder = undefined;
        continue;
      }
      for (const a of w.remove) {
        const was = b.get(a);
        if (was && b.delete(a)) order?.remove(a, was.createtime);
      }
      for (const x of w.put) {
        if (!b.has(x.accid)) order?.add(x.accid, x.createtime);
        b.set(x);
      }
    }
  }

  private newMember(accid: string, role: TeamRole, invitor: string, now: number): StoredSuperTeamMember {
    const at = this.chain.storedSeq;
    const joined = Math.max(now, (this.joinedAt ?? this.state.lastJoinAt ?? 0) + 1);
    this.joinedAt = joined;
    return {
      accid,
      role,
      nick: "",
      custom: "",
      mute: false,
      notifyOff: false,
      invitor,
      createtime: joined,
      updatetime: joined,
      readSeq: at,
      joinSeq: at,
    };
  }

  /** Join times handed out in this turn, saved with the info (saveInfo). */
  private joinedAt: number | undefined;

  private async saveInfo(info: SuperTeamInfo): Promise<void> {
    const before = this.state;
    this.state = { info, lastJoinAt: Math.max(this.joinedAt ?? 0, before.lastJoinAt ?? 0) };
    this.joinedAt = undefined;
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = before;
      throw err;
    }
  }

  private notify(
    op: SuperTeamOp,
    by: string,
    data: Omit<SuperTeamNotificationBody["data"], "tid" | "operator">,
    retainDays: number,
    alsoTo: readonly string[] = [],
  ) {
    const body: SuperTeamNotificationBody = { id: op, data: { tid: this.tid, operator: by, ...data } };
    return this.group.notify(body, by, retainDays, alsoTo);
  }

  // ---- messages -------------------------------------------------------------------------------

  private send(m: Req<"send">): ChainAnswer | Promise<ChainAnswer> {
    const info = this.live();
    const cached = this.buckets.get(superTeamBucketOf(m.input.from));
    if (cached) {
      const sender = cached.get(m.input.from);
      return this.sendAs(info, sender && unpackMember(sender), m);
    }
    return this.memberOf(m.input.from).then((sender) => this.sendAs(this.live(), sender, m));
  }

  private sendAs(info: SuperTeamInfo, sender: SuperTeamMember | undefined, m: Req<"send">): ChainAnswer {
    if (!sender) throw new NimbusError("TEAM_NOT_MEMBER", `${m.input.from} is not a member of super team ${this.tid}`);
    requireMaySend(info, sender);
    const chained = chainInputOf(m.input, { to: this.tid, conv: superTeamConversationId(this.tid) }, m.retainDays, m.sync);
    // No read position is written for the sender: unread counts come from read marks only.
    return this.chain.send(chained, (entry) => this.group.deliver(messageOf(entry), []));
  }

  private async notifyMembers(m: Req<"notifyMembers">): Promise<SystemNotification> {
    this.live();
    await this.actor(m.from);
    const notice: SystemNotification = { seq: 0, from: m.from, to: this.tid, attach: m.attach, time: Date.now(), stored: false };
    this.ctx.publish(superTeamSubject(this.ctx.appKey, this.tid), encodeUserEventOf(MessagingEvents.NOTIFICATION, notice));
    return notice;
  }

  private async position(accid: string): Promise<PositionAnswer | null> {
    const member = await this.memberIfLive(accid);
    return member ? this.group.position(member) : null;
  }

  private async hideSession(accid: string): Promise<boolean> {
    const member = await this.memberIfLive(accid);
    if (!member) return false;
    return this.group.hide(accid, member, (next) => this.writeMembers([{ ...member, ...next }]));
  }

  private async markRead(reader: string, seq: number): Promise<ReadReceipt> {
    this.live();
    const member = await this.actor(reader);
    return this.group.markRead(reader, member, seq, (readSeq) => this.writeMembers([{ ...member, readSeq }]));
  }

  // ---- membership and settings ----------------------------------------------------------------

  private async create(m: Req<"create">): Promise<{ info: SuperTeamInfo; added: string[] }> {
    if (this.state.info) throw new NimbusError("TEAM_ALREADY_MEMBER", `tid: super team ${this.tid} already exists`);
    const now = Date.now();
    const others = [...new Set(m.members)].filter((a) => a !== m.owner);
    if (others.length + 1 > m.info.tlevel)
      throw new NimbusError("TEAM_FULL", `inviteAccids: a super team of tlevel ${m.info.tlevel} holds at most ${m.info.tlevel}`);
    const members = [this.newMember(m.owner, "owner", "", now), ...others.map((a) => this.newMember(a, "normal", m.owner, now))];
    const info: SuperTeamInfo = {
      ...m.info,
      tid: this.tid,
      owner: m.owner,
      creator: m.owner,
      size: members.length,
      muteType: 0,
      createtime: now,
      updatetime: now,
      valid: true,
    };
    await this.writeMembers(members);
    await this.saveInfo(info);
    const joined = members.map((x) => x.accid);
    await this.notify(SuperTeamOps.INVITE, m.owner, { ids: joined, tinfo: info }, m.retainDays, joined);
    return { info: { ...info }, added: joined };
  }

  private async invite(m: Req<"invite">): Promise<{ added: string[] }> {
    const info = this.live();
    requireMayInvite(info, await this.actor(m.by));
    const fresh: string[] = [];
    for (const a of new Set(m.members)) if (!(await this.memberOf(a))) fresh.push(a);
    if (fresh.length === 0) throw new NimbusError("TEAM_ALREADY_MEMBER", `inviteAccids: all are already in super team ${this.tid}`);
    if (info.size + fresh.length > info.tlevel) {
      throw new NimbusError("TEAM_FULL", `inviteAccids: super team ${this.tid} holds at most ${info.tlevel}; it has ${info.size}`);
    }
    const now = Date.now();
    await this.writeMembers(fresh.map((a) => this.newMember(a, "normal", m.by, now)));
    await this.saveInfo({ ...info, size: info.size + fresh.length, updatetime: now });
    await this.notify(SuperTeamOps.INVITE, m.by, { ids: fresh }, m.retainDays, fresh);
    return { added: fresh };
  }

  private async kick(m: Req<"kick">): Promise<{ removed: string[] }> {
    const info = this.live();
    const me = await this.actor(m.by);
    requireManager(me, "kick members");
    const removed: string[] = [];
    for (const a of new Set(m.members)) {
      const t = await this.target(a, "kickAccids");
      requireOutranks(me, t, "kick");
      removed.push(a);
    }
    await this.writeMembers([], removed);
    await this.saveInfo({ ...info, size: info.size - removed.length, updatetime: Date.now() });
    // The kicked still hear of it: the notification goes out before they are unsubscribed.
    await this.notify(SuperTeamOps.KICK, m.by, { ids: removed }, m.retainDays, removed);
    return { removed };
  }

  private async dismiss(m: Req<"dismiss">): Promise<{ members: string[] }> {
    const info = this.live();
    requireOwner(await this.actor(m.by), "dismiss the super team");
    const members = (await this.allBuckets()).flatMap((b) => b.values().map((x) => x.accid));
    await this.saveInfo({ ...info, valid: false, updatetime: Date.now() });
    await this.notify(SuperTeamOps.DISMISS, m.by, {}, m.retainDays);
    return { members };
  }

  private async update(m: Req<"update">): Promise<SuperTeamInfo> {
    const info = this.live();
    requireManager(await this.actor(m.by), "update the super team");
    const next: SuperTeamInfo = { ...info, ...m.changes, updatetime: Date.now() };
    await this.saveInfo(next);
    await this.notify(SuperTeamOps.UPDATE_TINFO, m.by, { tinfo: m.changes }, m.retainDays);
    return { ...next };
  }

  private async changeLevel(m: Req<"changeLevel">): Promise<SuperTeamInfo> {
    const info = this.live();
    requireOwner(await this.actor(m.by), "change the super team's level");
    if (m.tlevel < info.size) throw new NimbusError("PARAM_ERROR", `tlevel: super team ${this.tid} has ${info.size} members already`);
    const next: SuperTeamInfo = { ...info, tlevel: m.tlevel, updatetime: Date.now() };
    await this.saveInfo(next);
    await this.notify(SuperTeamOps.UPDATE_TINFO, m.by, { tinfo: { tlevel: m.tlevel } }, m.retainDays);
    return { ...next };
  }

  private async changeOwner(m: Req<"changeOwner">): Promise<{ left: boolean }> {
    const info = this.live();
    const me = await this.actor(m.by);
    requireOwner(me, "transfer the super team");
    const heir = await this.target(m.newOwner, "accid");
    if (heir.accid === me.accid) throw new NimbusError("PARAM_ERROR", "accid: is the owner already");
    const now = Date.now();
    const heirNext: StoredSuperTeamMember = { ...heir, role: "owner", updatetime: now };
    if (m.leave) await this.writeMembers([heirNext], [me.accid]);
    else await this.writeMembers([heirNext, { ...me, role: "normal", updatetime: now }]);
    await this.saveInfo({ ...info, owner: heir.accid, size: info.size - (m.leave ? 1 : 0), updatetime: now });
    await this.notify(SuperTeamOps.CHANGE_OWNER, m.by, { ids: [heir.accid] }, m.retainDays, m.leave ? [me.accid] : []);
    if (m.leave) await this.notify(SuperTeamOps.LEAVE, m.by, {}, m.retainDays, [me.accid]);
    return { left: m.leave };
  }

  private async managers(m: Req<"managers">): Promise<null> {
    const info = this.live();
    requireOwner(await this.actor(m.by), m.add ? "add managers" : "remove managers");
    const now = Date.now();
    const changed: StoredSuperTeamMember[] = [];
    for (const a of new Set(m.members)) {
      const t = await this.target(a, "managerAccids");
      if (t.role === "owner") throw new NimbusError("TEAM_NO_PERMISSION", `managerAccids: ${a} is the owner`);
      changed.push({ ...t, role: m.add ? "manager" : "normal", updatetime: now });
    }
    await this.writeMembers(changed);
    await this.saveInfo({ ...info, updatetime: now });
    await this.notify(
      m.add ? SuperTeamOps.ADD_MANAGER : SuperTeamOps.REMOVE_MANAGER,
      m.by,
      { ids: changed.map((t) => t.accid) },
      m.retainDays,
    );
    return null;
  }

  private async updateMember(m: Req<"updateMember">): Promise<SuperTeamMember> {
    this.live();
    const target = await this.target(m.accid, "accid");
    if (m.by !== m.accid) {
      const me = await this.actor(m.by);
      if (!(me.role === "owner" || (me.role === "manager" && target.role === "normal"))) {
        throw new NimbusError("TEAM_NO_PERMISSION", `${m.by} may not change ${m.accid}'s super team settings`);
      }
    }
    const next: StoredSuperTeamMember = { ...target, updatetime: Date.now() };
    if (m.nick !== undefined) next.nick = m.nick;
    if (m.custom !== undefined) next.custom = m.custom;
    if (m.notifyOff !== undefined) next.notifyOff = m.notifyOff;
    await this.writeMembers([next]);
    return shown(next);
  }

  private async muteMembers(m: Req<"muteMembers">): Promise<null> {
    this.live();
    const me = await this.actor(m.by);
    requireManager(me, "mute members");
    const now = Date.now();
    const changed: StoredSuperTeamMember[] = [];
    for (const a of new Set(m.members)) {
      const t = await this.target(a, "muteAccids");
      requireOutranks(me, t, m.mute ? "mute" : "unmute");
      changed.push({ ...t, mute: m.mute, updatetime: now });
    }
    await this.writeMembers(changed);
    await this.notify(SuperTeamOps.MUTE_TLIST, m.by, { ids: changed.map((t) => t.accid), mute: m.mute }, m.retainDays);
    return null;
  }

  private async muteAll(m: Req<"muteAll">): Promise<null> {
    const info = this.live();
    requireManager(await this.actor(m.by), "mute the super team");
    await this.saveInfo({ ...info, muteType: m.muteType, updatetime: Date.now() });
    await this.notify(SuperTeamOps.UPDATE_TINFO, m.by, { tinfo: { muteType: m.muteType } }, m.retainDays);
    return null;
  }

  private async leave(m: Req<"leave">): Promise<null> {
    const info = this.live();
    const me = await this.actor(m.accid);
    if (me.role === "owner")
      throw new NimbusError("TEAM_NO_PERMISSION", "the owner may not leave: transfer the super team (changeOwner) or dismiss it");
    await this.writeMembers([], [m.accid]);
    await this.saveInfo({ ...info, size: info.size - 1, updatetime: Date.now() });
    await this.notify(SuperTeamOps.LEAVE, m.accid, {}, m.retainDays, [m.accid]);
    return null;
  }

  /** A page by join time: ascending from `timetag` (exclusive when > 0) or descending before it (0: from the newest). */
  private async page(p: Req<"members">): Promise<SuperTeamMember[]> {
    this.live();
    const order = this.joinOrder ?? (this.joinOrder = JoinOrder.of(await this.allBuckets()));
    const out: SuperTeamMember[] = [];
    for (const accid of order.walk(p.timetag, p.ascending)) {
      if (out.length >= p.limit) break;
      const x = this.buckets.get(superTeamBucketOf(accid))?.get(accid);
      if (x && (!p.mutedOnly || x.mute)) out.push(shown(unpackMember(x)));
    }
    return out;
  }
}

function shown(m: StoredSuperTeamMember): SuperTeamMember {
  const { readSeq: _r, joinSeq: _j, hiddenAtSeq: _h, ...rest } = m;
  return rest;
}
