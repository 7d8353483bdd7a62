import { Actor } from "../../src/runtime/mod.ts";
import type { JournalEntry } from "../../src/store/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEventOf, userSubject } from "../../src/protocol/user-events.ts";
import { messageOf } from "../../src/conversation/entry.ts";
import {
  MessagingEvents,
  type DeleteEvent,
  type Message,
  type SystemNotification,
  type ReadReceipt,
  type RecallEvent,
} from "../../src/protocol/messages.ts";
import {
  TeamEvents,
  TeamOps,
  teamConversationId,
  type TeamApplyEvent,
  type TeamInviteEvent,
  teamSubject,
  type TeamInfo,
  type TeamMember,
  type TeamNotificationBody,
  type TeamOp,
  type TeamView,
} from "../../src/protocol/team.ts";
import type { MessageRef } from "../../src/contracts/conversation.ts";
import type { TeamMessage } from "../../src/contracts/team.ts";
import { chainInputOf, JournalChain, type ChainAnswer } from "../conversation/journal-chain.ts";
import { GroupJournal } from "../conversation/group-journal.ts";
import { actor, requireManager, requireMaySend, requireMayInvite, requireMayUpdate, requireOutranks, requireOwner } from "./permissions.ts";

/** A member as saved: the wire's member, how far they have read, and the last seq before they joined. */
interface StoredMember extends TeamMember {
  readSeq: number;
  /** Absent in members saved before it was kept: 0 then. */
  joinSeq?: number;
  /** The team's last seq when this member removed it from their conversation list (delRoamSession). */
  hiddenAtSeq?: number;
}

/** NIM's data sync carries a team message's member list (`tMembers`) only for teams this small. */
const SYNC_MEMBERS_MAX = 200;

/** A pending invitation or application. */
interface Pending {
  accid: string;
  by: string;
  msg: string;
  time: number;
}

/**
 * Saved state. Lists, not maps keyed by accid (an accid may be `__proto__`). Messages are not
 * here: the journal holds them, and the next seq is read from it on activation (JournalChain).
 */
export interface TeamState {
  info: TeamInfo | null;
  members: StoredMember[];
  invited: Pending[];
  applied: Pending[];
}

type Req<T extends TeamMessage["t"]> = Extract<TeamMessage, { t: T }>;

/**
 * One advanced team (`team/<appKey>/<tid>`): its settings, owner, managers and members, and its
 * conversation's journal, kept by the shared JournalChain (gap-free seqs, acks once stored, dedup
 * by clientMsgId). Every change is checked against this actor's own state (permissions.ts), saved,
 * and written as a notification message (type 5, NIM's attach ops) to the journal, so devices learn
 * of it in order with the messages; its answer waits until both are stored.
 *
 * Delivery is one publish per message on `team.<app>.<tid>`: each node's gateway holds that subject
 * while a member is connected there and writes the same bytes to every local member's devices.
 * New members are not subscribed yet when their invitation is written, so that one notification is
 * also published to them directly.
 */
export class TeamActor extends Actor<TeamState> {
  private readonly chain = new JournalChain(this.ctx, teamConversationId(this.ctx.id));
  private readonly group = new GroupJournal(this.ctx, this.chain, () => ({
    subject: teamSubject(this.ctx.appKey, this.tid),
    conv: teamConversationId(this.tid),
    label: `team ${this.tid}`,
  }));
  private members = new Map<string, StoredMember>();

  initialState(): TeamState {
    return { info: null, members: [], invited: [], applied: [] };
  }

  override async onActivate(): Promise<void> {
    this.members = new Map(this.state.members.map((m) => [m.accid, m]));
    await this.chain.activate();
  }

  receive(message: unknown): unknown {
    const m = message as TeamMessage;
    switch (m.t) {
      case "get":
        return this.state.info ? this.view() : null;
      case "position": {
        const member = this.state.info?.valid ? this.members.get(m.accid) : undefined;
        return member ? this.group.position(member) : null;
      }
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
      case "changeOwner":
        return this.changeOwner(m);
      case "managers":
        return this.managers(m);
      case "updateMember":
        return this.updateMember(m);
      case "muteMember":
        return this.muteMember(m);
      case "muteAll":
        return this.muteAll(m);
      case "leave":
        return this.leave(m);
      case "setNotify":
        return this.setNotify(m);
      case "apply":
        return this.apply(m);
      case "answerApply":
        return this.answerApply(m);
      case "answerInvite":
        return this.answerInvite(m);
      case "readInfo":
        return this.readInfo(m);
      case "markReadMsgids":
        return this.markReadMsgids(m);
      case "notifyMembers": {
        this.live();
        actor(this.members, m.from);
        const notice: SystemNotification = { seq: 0, from: m.from, to: this.tid, attach: m.attach, time: Date.now(), stored: false };
        this.ctx.publish(teamSubject(this.ctx.appKey, this.tid), encodeUserEventOf(MessagingEvents.NOTIFICATION, notice));
        return notice;
      }
      case "recall":
        return this.recall(m);
      case "deleteOneWay":
        return this.deleteOneWay(m.accid, m.msgid);
      case "delete":
        return this.deleteForAll(m.from, m.msgid);
      case "markRead":
        return this.markRead(m.reader, m.seq);
      case "hideSession":
        return this.hideSession(m.accid);
      case "lookup":
        return this.lookup(m.clientMsgId);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown team message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private get tid(): string {
    return this.ctx.id;
  }

  /** The team's settings; 803 when it was never created or is dismissed. */
  private live(): TeamInfo {
    const info = this.state.info;
    if (!info || !info.valid) throw new NimbusError("TEAM_NOT_FOUND", `tid: team ${this.tid} does not exist`);
    return info;
  }

  private view(): TeamView {
    return {
      info: { ...this.state.info! },
      members: [...this.members.values()].map(({ readSeq: _r, joinSeq: _j, hiddenAtSeq: _h, ...m }) => m),
    };
  }

  private newMember(accid: string, role: TeamMember["role"], now: number): StoredMember {
    // A new member has read nothing before they joined: unread counts start at their join.
    return {
      accid,
      role,
      nick: "",
      custom: "",
      mute: false,
      notifyOff: false,
      createtime: now,
      updatetime: now,
      readSeq: this.chain.storedSeq,
      joinSeq: this.chain.storedSeq,
    };
  }

  /** Saves the state built from `members` and `rest`, rolled back if the save fails. */
  private async save(rest: Partial<Omit<TeamState, "members">> = {}): Promise<void> {
    const before = this.state;
    const beforeMembers = new Map(this.members);
    this.state = { ...this.state, ...rest, members: [...this.members.values()] };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = before;
      this.members = beforeMembers;
      throw err;
    }
  }

  private touch(info: TeamInfo, now: number): TeamInfo {
    return { ...info, updatetime: now };
  }

  // ---- messages -------------------------------------------------------------------------------

  private send(m: Req<"send">): ChainAnswer {
    const { input, retainDays, sync } = m;
    const info = this.live();
    const sender = actor(this.members, input.from);
    requireMaySend(info, sender);
    const chained = chainInputOf(input, { to: this.tid, conv: teamConversationId(this.tid) }, retainDays, sync);
    // The members as of this message, from memory, carried in its outbox item: no read at delivery.
    if (sync !== undefined && this.members.size <= SYNC_MEMBERS_MAX) chained.syncMembers = [...this.members.keys()];
    return this.chain.send(chained, (entry) => {
      this.deliver(messageOf(entry), []);
      // Who sends has read the team up to their own message; saved with the state later (a
      // lost update only shows an unread count too high), not one write per message.
      const now = this.members.get(entry.from);
      if (now && now.readSeq < entry.seq) {
        now.readSeq = entry.seq;
        this.ctx.markDirty();
      }
    });
  }

  /** One publish on the team's subject (and, for new members not yet subscribed, on theirs). */
  private deliver(message: Message, alsoTo: readonly string[]): void {
    this.group.deliver(message, alsoTo);
  }

  /** Writes a notification (type 5) and resolves once it is stored and published. */
  private notify(
    op: TeamOp,
    by: string,
    data: Omit<TeamNotificationBody["data"], "tid" | "operator">,
    retainDays: number,
    alsoTo: readonly string[] = [],
  ): Promise<void> {
    const body: TeamNotificationBody = { id: op, data: { tid: this.tid, operator: by, ...data } };
    return this.group.notify(body, by, retainDays, alsoTo);
  }

  private recall(m: Req<"recall">): Promise<RecallEvent> {
    this.live();
    return this.group.recall(m);
  }

  private deleteForAll(from: string, msgid: number): Promise<DeleteEvent> {
    this.live();
    return this.group.deleteForAll(from, msgid);
  }

  private deleteOneWay(accid: string, msgid: number): Promise<null> {
    this.live();
    return this.group.deleteOneWay(accid, msgid);
  }

  /** A member's read position: only forward, never past the newest message; their other devices hear of it. */
  /**
   * The team leaves the member's conversation list until its next message, read up to here (as a
   * removed p2p conversation is); the member's devices are told.
   */
  private async hideSession(accid: string): Promise<boolean> {
    const member = this.state.info?.valid ? this.members.get(accid) : undefined;
    if (!member) return false;
    return this.group.hide(accid, member, async (next) => {
      this.members.set(accid, { ...member, ...next });
      await this.save();
    });
  }

  private markRead(reader: string, seq: number): Promise<ReadReceipt> {
    this.live();
    const member = actor(this.members, reader);
    return this.group.markRead(reader, member, seq, async (readSeq) => {
      this.members.set(reader, { ...member, readSeq });
      await this.save();
    });
  }

  private async markReadMsgids(m: Req<"markReadMsgids">): Promise<{ errMsgIds: number[] }> {
    this.live();
    actor(this.members, m.accid);
    const entries = await Promise.all(m.msgids.map((id) => this.ctx.journal.getByMsgid(id)));
    const errMsgIds: number[] = [];
    let newest = 0;
    entries.forEach((e, i) => {
      if (!e || e.conversation !== this.ctx.address || e.unreadable) errMsgIds.push(m.msgids[i]!);
      else newest = Math.max(newest, e.seq);
    });
    if (newest > 0) await this.markRead(m.accid, newest);
    return { errMsgIds };
  }

  private async readInfo(m: Req<"readInfo">): Promise<{ readAccids: string[]; unreadAccids: string[] }> {
    this.live();
    const entry = await this.find(m.msgid);
    if (entry.from !== m.from) throw new NimbusError("PARAM_ERROR", `fromAccid: message ${m.msgid} was not sent by ${m.from}`);
    const readAccids: string[] = [];
    const unreadAccids: string[] = [];
    for (const member of this.members.values()) {
      if (member.accid === entry.from) continue;
      (member.readSeq >= entry.seq ? readAccids : unreadAccids).push(member.accid);
    }
    return { readAccids, unreadAccids };
  }

  private lookup(clientMsgId: string): Promise<MessageRef | null> {
    return this.group.lookup(clientMsgId);
  }

  private find(msgid: number): Promise<JournalEntry> {
    return this.group.find(msgid);
  }

  /** Invitees hear of a pending invitation on their own subject (online devices; not stored). */
  private announceInvites(from: string, msg: string, accids: readonly string[]): void {
    for (const accid of accids) {
      const event: TeamInviteEvent = { tid: this.tid, from, msg };
      this.ctx.publish(userSubject(this.ctx.appKey, accid), encodeUserEventOf(TeamEvents.INVITE, event));
    }
  }

  // ---- membership and settings ----------------------------------------------------------------

  private async create(m: Req<"create">): Promise<{ view: TeamView; invited: string[] }> {
    if (this.state.info) throw new NimbusError("TEAM_ALREADY_MEMBER", `tid: team ${this.tid} already exists`);
    const now = Date.now();
    const info: TeamInfo = { ...m.info, tid: this.tid, owner: m.owner, muteType: 0, createtime: now, updatetime: now, valid: true };
    const others = m.members.filter((a) => a !== m.owner);
    if (!m.magree && others.length + 1 > info.maxusers)
      throw new NimbusError("TEAM_FULL", `members: a team holds at most ${info.maxusers}`);
    this.members = new Map([[m.owner, this.newMember(m.owner, "owner", now)]]);
    const invited: Pending[] = [];
    if (m.magree) for (const a of others) invited.push({ accid: a, by: m.owner, msg: m.msg, time: now });
    else for (const a of others) this.members.set(a, this.newMember(a, "normal", now));
    await this.save({ info, invited, applied: [] });
    this.announceInvites(
      m.owner,
      m.msg,
      invited.map((p) => p.accid),
    );
    const joined = [...this.members.keys()];
    await this.notify(TeamOps.INVITE, m.owner, { ids: joined, tinfo: info }, m.retainDays, joined);
    return { view: this.view(), invited: invited.map((p) => p.accid) };
  }

  private async invite(m: Req<"invite">): Promise<{ added: string[]; invited: string[] }> {
    const info = this.live();
    const me = actor(this.members, m.by);
    requireMayInvite(info, me);
    const fresh = m.members.filter((a) => !this.members.has(a));
    if (fresh.length === 0) throw new NimbusError("TEAM_ALREADY_MEMBER", `members: all are already in team ${this.tid}`);
    // The app server says whether consent is needed (magree); a client's invite follows beinvitemode.
    const consent = m.byServer ? m.magree : info.beinvitemode === 0;
    const now = Date.now();
    if (consent) {
      const pending = this.state.invited.filter((p) => !fresh.includes(p.accid));
      for (const a of fresh) pending.push({ accid: a, by: m.by, msg: m.msg, time: now });
      await this.save({ invited: pending });
      this.announceInvites(m.by, m.msg, fresh);
      return { added: [], invited: fresh };
    }
    if (this.members.size + fresh.length > info.maxusers) {
      throw new NimbusError("TEAM_FULL", `members: team ${this.tid} holds at most ${info.maxusers}; it has ${this.members.size}`);
    }
    for (const a of fresh) this.members.set(a, this.newMember(a, "normal", now));
    await this.save({ info: this.touch(info, now), invited: this.state.invited.filter((p) => !fresh.includes(p.accid)) });
    await this.notify(TeamOps.INVITE, m.by, { ids: fresh, ...(m.attach !== undefined && { attach: m.attach }) }, m.retainDays, fresh);
    return { added: fresh, invited: [] };
  }

  private async kick(m: Req<"kick">): Promise<{ removed: string[] }> {
    const info = this.live();
    const me = actor(this.members, m.by);
    requireManager(me, "kick members");
    const targets = m.members.map((a) => {
      const t = this.members.get(a);
      if (!t) throw new NimbusError("TEAM_NOT_MEMBER", `members: ${a} is not a member of team ${this.tid}`);
      requireOutranks(me, t, "kick");
      return t;
    });
    // The kicked still hear of it: the notification goes out before they are unsubscribed.
    for (const t of targets) this.members.delete(t.accid);
    const removed = targets.map((t) => t.accid);
    await this.save({ info: this.touch(info, Date.now()) });
    await this.notify(TeamOps.KICK, m.by, { ids: removed, ...(m.attach !== undefined && { attach: m.attach }) }, m.retainDays, removed);
    return { removed };
  }

  private async dismiss(m: Req<"dismiss">): Promise<{ members: string[] }> {
    const info = this.live();
    requireOwner(actor(this.members, m.by), "dismiss the team");
    const members = [...this.members.keys()];
    await this.save({ info: { ...info, valid: false, updatetime: Date.now() } });
    await this.notify(TeamOps.DISMISS, m.by, { ...(m.attach !== undefined && { attach: m.attach }) }, m.retainDays);
    return { members };
  }

  private async update(m: Req<"update">): Promise<TeamInfo> {
    const info = this.live();
    requireMayUpdate(info, actor(this.members, m.by), m.changes);
    if (m.changes.maxusers !== undefined && m.changes.maxusers < this.members.size) {
      throw new NimbusError("PARAM_ERROR", `teamMemberLimit: team ${this.tid} has ${this.members.size} members already`);
    }
    const next: TeamInfo = { ...info, ...m.changes, updatetime: Date.now() };
    await this.save({ info: next });
    await this.notify(TeamOps.UPDATE, m.by, { tinfo: m.changes, ...(m.attach !== undefined && { attach: m.attach }) }, m.retainDays);
    return { ...next };
  }

  private async changeOwner(m: Req<"changeOwner">): Promise<{ left: boolean }> {
    const info = this.live();
    const me = actor(this.members, m.by);
    requireOwner(me, "transfer the team");
    const heir = this.members.get(m.newOwner);
    if (!heir) throw new NimbusError("TEAM_NOT_MEMBER", `newowner: ${m.newOwner} is not a member of team ${this.tid}`);
    if (heir.accid === me.accid) throw new NimbusError("PARAM_ERROR", "newowner: is the owner already");
    const now = Date.now();
    this.members.set(heir.accid, { ...heir, role: "owner", updatetime: now });
    if (m.leave) this.members.delete(me.accid);
    else this.members.set(me.accid, { ...me, role: "normal", updatetime: now });
    await this.save({ info: { ...info, owner: heir.accid, updatetime: now } });
    await this.notify(
      TeamOps.OWNER_TRANSFER,
      m.by,
      { ids: [heir.accid], ...(m.attach !== undefined && { attach: m.attach }) },
      m.retainDays,
      m.leave ? [me.accid] : [],
    );
    if (m.leave) await this.notify(TeamOps.LEAVE, m.by, {}, m.retainDays, [me.accid]);
    return { left: m.leave };
  }

  private async managers(m: Req<"managers">): Promise<null> {
    const info = this.live();
    requireOwner(actor(this.members, m.by), m.add ? "add managers" : "remove managers");
    const now = Date.now();
    const targets = m.members.map((a): StoredMember => {
      const t = this.members.get(a);
      if (!t) throw new NimbusError("TEAM_NOT_MEMBER", `members: ${a} is not a member of team ${this.tid}`);
      if (t.role === "owner") throw new NimbusError("TEAM_NO_PERMISSION", `members: ${a} is the owner`);
      return t;
    });
    const managersAfter =
      [...this.members.values()].filter((x) => x.role === "manager").length +
      (m.add ? targets.filter((t) => t.role !== "manager").length : 0);
    if (m.add && managersAfter > MAX_MANAGERS)
      throw new NimbusError("TEAM_MANAGER_LIMIT", `members: a team has at most ${MAX_MANAGERS} managers`);
    for (const t of targets) this.members.set(t.accid, { ...t, role: m.add ? "manager" : "normal", updatetime: now });
    await this.save({ info: this.touch(info, now) });
    await this.notify(
      m.add ? TeamOps.ADD_MANAGER : TeamOps.REMOVE_MANAGER,
      m.by,
      { ids: targets.map((t) => t.accid), ...(m.attach !== undefined && { attach: m.attach }) },
      m.retainDays,
    );
    return null;
  }

  private async updateMember(m: Req<"updateMember">): Promise<TeamMember> {
    this.live();
    const target = this.members.get(m.accid);
    if (!target) throw new NimbusError("TEAM_NOT_MEMBER", `accid: ${m.accid} is not a member of team ${this.tid}`);
    if (m.by !== m.accid) {
      const me = actor(this.members, m.by);
      if (!(me.role === "owner" || (me.role === "manager" && target.role === "normal"))) {
        throw new NimbusError("TEAM_NO_PERMISSION", `${m.by} may not change ${m.accid}'s team nick`);
      }
    }
    const next: StoredMember = { ...target, updatetime: Date.now() };
    if (m.nick !== undefined) next.nick = m.nick;
    if (m.custom !== undefined) next.custom = m.custom;
    this.members.set(m.accid, next);
    await this.save();
    const { readSeq: _r, joinSeq: _j, hiddenAtSeq: _h, ...shown } = next;
    return shown;
  }

  private async muteMember(m: Req<"muteMember">): Promise<null> {
    this.live();
    const me = actor(this.members, m.by);
    requireManager(me, "mute members");
    const target = this.members.get(m.accid);
    if (!target) throw new NimbusError("TEAM_NOT_MEMBER", `accid: ${m.accid} is not a member of team ${this.tid}`);
    requireOutranks(me, target, m.mute ? "mute" : "unmute");
    this.members.set(m.accid, { ...target, mute: m.mute, updatetime: Date.now() });
    await this.save();
    await this.notify(
      TeamOps.MUTE_TLIST,
      m.by,
      { ids: [m.accid], mute: m.mute, ...(m.attach !== undefined && { attach: m.attach }) },
      m.retainDays,
    );
    return null;
  }

  private async muteAll(m: Req<"muteAll">): Promise<null> {
    const info = this.live();
    requireManager(actor(this.members, m.by), "mute the team");
    await this.save({ info: { ...info, muteType: m.muteType, updatetime: Date.now() } });
    await this.notify(
      TeamOps.UPDATE,
      m.by,
      { tinfo: { muteType: m.muteType }, ...(m.attach !== undefined && { attach: m.attach }) },
      m.retainDays,
    );
    return null;
  }

  private async leave(m: Req<"leave">): Promise<null> {
    const info = this.live();
    const me = actor(this.members, m.accid);
    if (me.role === "owner")
      throw new NimbusError("TEAM_NO_PERMISSION", "the owner may not leave: transfer the team (changeOwner) or dismiss it");
    this.members.delete(m.accid);
    await this.save({ info: this.touch(info, Date.now()) });
    await this.notify(TeamOps.LEAVE, m.accid, { ...(m.attach !== undefined && { attach: m.attach }) }, m.retainDays, [m.accid]);
    return null;
  }

  private async setNotify(m: Req<"setNotify">): Promise<null> {
    this.live();
    const me = actor(this.members, m.accid);
    if (me.notifyOff === m.off) return null;
    this.members.set(m.accid, { ...me, notifyOff: m.off, updatetime: Date.now() });
    await this.save();
    return null;
  }

  private async apply(m: Req<"apply">): Promise<{ joined: boolean }> {
    const info = this.live();
    if (this.members.has(m.accid)) throw new NimbusError("TEAM_ALREADY_MEMBER", `${m.accid} is already in team ${this.tid}`);
    if (info.joinmode === 2) throw new NimbusError("TEAM_NO_PERMISSION", `team ${this.tid} takes no applications (joinmode 2)`);
    const now = Date.now();
    if (info.joinmode === 1) {
      const applied = this.state.applied.filter((p) => p.accid !== m.accid);
      applied.push({ accid: m.accid, by: m.accid, msg: m.msg, time: now });
      await this.save({ applied });
      const event = encodeUserEventOf(TeamEvents.APPLY, { tid: this.tid, accid: m.accid, msg: m.msg } satisfies TeamApplyEvent);
      for (const member of this.members.values()) {
        if (member.role !== "normal") this.ctx.publish(userSubject(this.ctx.appKey, member.accid), event);
      }
      return { joined: false };
    }
    await this.admit(info, m.accid, m.accid, TeamOps.APPLY_PASS, m.retainDays);
    return { joined: true };
  }

  private async answerApply(m: Req<"answerApply">): Promise<{ joined: boolean }> {
    const info = this.live();
    requireManager(actor(this.members, m.by), "answer applications");
    const pending = this.state.applied.find((p) => p.accid === m.accid);
    if (!pending) throw new NimbusError("TEAM_MEMBER_STATE", `accid: ${m.accid} has not applied to team ${this.tid}`);
    if (!m.pass) {
      await this.save({ applied: this.state.applied.filter((p) => p.accid !== m.accid) });
      return { joined: false };
    }
    await this.admit(info, m.accid, m.by, TeamOps.APPLY_PASS, m.retainDays);
    return { joined: true };
  }

  private async answerInvite(m: Req<"answerInvite">): Promise<{ joined: boolean }> {
    const info = this.live();
    const pending = this.state.invited.find((p) => p.accid === m.accid);
    if (!pending) throw new NimbusError("TEAM_MEMBER_STATE", `${m.accid} has no invitation to team ${this.tid}`);
    if (!m.accept) {
      await this.save({ invited: this.state.invited.filter((p) => p.accid !== m.accid) });
      return { joined: false };
    }
    await this.admit(info, m.accid, m.accid, TeamOps.INVITE_ACCEPT, m.retainDays);
    return { joined: true };
  }

  /** Adds one member (an application passed, an invitation accepted), within the team's limit. */
  private async admit(info: TeamInfo, accid: string, by: string, op: TeamOp, retainDays: number): Promise<void> {
    if (this.members.has(accid)) throw new NimbusError("TEAM_ALREADY_MEMBER", `${accid} is already in team ${this.tid}`);
    if (this.members.size + 1 > info.maxusers) throw new NimbusError("TEAM_FULL", `team ${this.tid} holds at most ${info.maxusers}`);
    const now = Date.now();
    this.members.set(accid, this.newMember(accid, "normal", now));
    await this.save({
      info: this.touch(info, now),
      invited: this.state.invited.filter((p) => p.accid !== accid),
      applied: this.state.applied.filter((p) => p.accid !== accid),
    });
    await this.notify(op, by, { ids: [accid] }, retainDays, [accid]);
  }
}

/** NIM: at most 10 managers per team. */
const MAX_MANAGERS = 10;
