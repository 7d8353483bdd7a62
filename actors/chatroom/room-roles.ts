import { type ChatroomEntryGrant, type ChatroomMemberView } from "../../src/contracts/chatroom.ts";
import { ChatroomKickReason, ChatroomNotificationKind as Kind, type ChatroomNotification } from "../../src/protocol/chatroom.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import {
  blankMember,
  isFixed,
  isManagerOrCreator,
  isMutedMember,
  isWorthKeeping,
  memberType,
  memberView,
  requireAuthority,
  type FixedMember,
} from "./members.ts";
import { dropTransientOf } from "./queue.ts";
import { RoomBase, type Req } from "./room-base.ts";

/** The chat room actor's members, roles, mutes and robots (see chatroom.ts). */
export abstract class RoomRoles extends RoomBase {
  // ---- members and roles ------------------------------------------------------------------

  protected async setRole(m: Req<"setRole">): Promise<{ roomid: number; level: number; accid: string; type: string }> {
    this.room();
    const now = Date.now();
    const op = m.operator === null ? undefined : this.members.get(m.operator);
    const before = this.members.get(m.target);
    requireAuthority(m.operator, op, m.target, before);
    if (m.opt === 1 && m.operator !== null && op?.role !== "creator")
      throw new NimbusError("FORBIDDEN", "operator: only the creator names or removes managers");
    const t: FixedMember = { ...(before ?? blankMember(m.target, now)) };
    let kind: ChatroomNotification["id"];
    switch (m.opt) {
      case 1:
        if (m.optvalue) t.role = "manager";
        else if (t.role === "manager") t.role = "none";
        kind = m.optvalue ? Kind.MANAGER_ADD : Kind.MANAGER_REMOVE;
        break;
      case 2:
        if (m.optvalue) t.role = "normal";
        else if (t.role === "normal") t.role = "none";
        kind = m.optvalue ? Kind.COMMON_ADD : Kind.COMMON_REMOVE;
        break;
      case -1:
        t.blacklisted = m.optvalue;
        // A blacklisted member keeps no role in the room.
        if (m.optvalue) t.role = "none";
        kind = m.optvalue ? Kind.BLACKLIST_ADD : Kind.BLACKLIST_REMOVE;
        break;
      default:
        t.muted = m.optvalue;
        kind = m.optvalue ? Kind.MUTE_ADD : Kind.MUTE_REMOVE;
        break;
    }
    t.updatedAt = now;
    await this.saveMember(t, now);
    this.notify(kind, m.operator, [m.target], m.notifyExt);
    if (m.opt === -1 && m.optvalue) {
      this.onlineFixed.delete(m.target);
      this.control({ op: "kick", accids: [m.target], reason: ChatroomKickReason.BLACKLISTED });
    }
    return { roomid: this.roomid, level: 0, accid: m.target, type: memberType(t) };
  }

  protected async tempMute(m: Req<"tempMute">): Promise<{ muteDuration: number }> {
    this.room();
    const now = Date.now();
    const before = this.members.get(m.target);
    requireAuthority(m.operator, m.operator === null ? undefined : this.members.get(m.operator), m.target, before);
    const t: FixedMember = { ...(before ?? blankMember(m.target, now)), tempMuteUntil: m.seconds > 0 ? now + m.seconds * 1000 : 0 };
    await this.saveMember(t, now);
    if (m.needNotify !== false) {
      this.notify(m.seconds > 0 ? Kind.TEMP_MUTE_ADD : Kind.TEMP_MUTE_REMOVE, m.operator, [m.target], m.notifyExt, {
        muteDuration: m.seconds,
      });
    }
    return { muteDuration: m.seconds };
  }

  protected async muteRoom(m: Req<"muteRoom">): Promise<{ success: true }> {
    const room = this.room();
    if (m.operator !== null && !isManagerOrCreator(this.members.get(m.operator))) {
      throw new NimbusError("FORBIDDEN", `operator: ${m.operator} is neither the creator nor a manager of the room`);
    }
    if (room.muted !== m.mute) {
      await this.commit({ ...this.state, room: { ...room, muted: m.mute } });
      if (m.needNotify !== false) this.notify(m.mute ? Kind.ROOM_MUTED : Kind.ROOM_UNMUTED, m.operator, [], m.notifyExt);
    }
    return { success: true };
  }

  protected kick(m: Req<"kick">): null {
    this.openRoom();
    requireAuthority(m.operator, m.operator === null ? undefined : this.members.get(m.operator), m.target, this.members.get(m.target));
    this.notify(Kind.KICKED, m.operator, [m.target], m.notifyExt);
    this.control({ op: "kick", accids: [m.target], reason: ChatroomKickReason.KICKED, ...(m.notifyExt ? { ext: m.notifyExt } : {}) });
    this.onlineFixed.delete(m.target);
    this.onlineGuests.delete(m.target);
    return null;
  }

  protected enter(m: Req<"enter">): ChatroomEntryGrant {
    this.openRoom();
    const member = this.members.get(m.accid);
    if (member?.blacklisted)
      throw new NimbusError("CHATROOM_BLACKLISTED", `accid: ${m.accid} is on the blacklist of chat room ${this.ctx.id}`);
    if (isFixed(member)) this.onlineFixed.add(m.accid);
    else {
      // Re-inserted, so the map stays in entry order (membersByPage type 1 pages newest first).
      this.onlineGuests.delete(m.accid);
      this.onlineGuests.set(m.accid, { nick: m.nick ?? "", avator: m.avator ?? "", ext: m.ext ?? "", enterTime: Date.now() });
    }
    const room = this.view(false);
    if (room.ionotify) this.notify(Kind.MEMBER_IN, m.accid, [m.accid], undefined, { nick: m.nick ?? member?.nick ?? "" });
    return { role: memberType(member), muted: isMutedMember(member, Date.now()) || room.muted, room };
  }

  protected async left(accid: string): Promise<null> {
    const room = this.state.room;
    if (!room) return null;
    this.onlineFixed.delete(accid);
    this.onlineGuests.delete(accid);
    const { queue, removed } = dropTransientOf(this.state.queue, accid);
    if (removed.length > 0) {
      await this.commit({ ...this.state, queue });
      for (const e of removed) this.queueChanged({ op: "transientRemoved", key: e.key, value: e.value, operator: accid });
    }
    if (room.ionotify && room.valid) this.notify(Kind.MEMBER_EXIT, accid, [accid]);
    return null;
  }

  protected membersOf(accids: string[]): ChatroomMemberView[] {
    this.room();
    const now = Date.now();
    return accids.map((a) => memberView(this.roomid, a, this.members.get(a), this.onlineFixed.has(a), now));
  }

  protected membersByPage(m: Req<"membersByPage">): ChatroomMemberView[] {
    this.room();
    const now = Date.now();
    const end = m.endtime === 0 ? Number.MAX_SAFE_INTEGER : m.endtime;
    if (m.type === 1) return this.guestsByPage(end, m.limit, now);
    return [...this.members.values()]
      .filter((x) => isFixed(x) && x.updatedAt <= end && (m.type === 0 || this.onlineFixed.has(x.accid)))
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.accid < b.accid ? -1 : 1))
      .slice(0, m.limit)
      .map((x) => memberView(this.roomid, x.accid, x, this.onlineFixed.has(x.accid), now));
  }

  /** Online guests (not fixed members) who entered at or before `end`, newest first. */
  private guestsByPage(end: number, limit: number, now: number): ChatroomMemberView[] {
    const out: ChatroomMemberView[] = [];
    const newestFirst = [...this.onlineGuests].reverse();
    for (const [accid, g] of newestFirst) {
      if (out.length >= limit) break;
      // A guest made a fixed member since it entered is listed with the fixed ones.
      if (g.enterTime > end || isFixed(this.members.get(accid))) continue;
      out.push({
        ...memberView(this.roomid, accid, this.members.get(accid), true, now),
        nick: g.nick,
        avator: g.avator,
        ext: g.ext,
        enterTime: g.enterTime,
      });
    }
    return out;
  }

  protected async addRobots(m: Req<"addRobots">): Promise<{ successAccids: string[]; failAccids: string[]; oldAccids: string[] }> {
    this.openRoom();
    const now = Date.now();
    const successAccids: string[] = [];
    const oldAccids: string[] = [];
    const next = new Map(this.members);
    for (const accid of m.accids) {
      const before = next.get(accid);
      if (before?.robot) {
        oldAccids.push(accid);
        continue;
      }
      next.set(accid, { ...(before ?? blankMember(accid, now)), robot: true, ext: m.roleExt ?? before?.ext ?? "", updatedAt: now });
      successAccids.push(accid);
    }
    if (successAccids.length > 0) {
      await this.commit({ ...this.state, members: [...next.values()] });
      this.notify(Kind.MEMBER_IN, null, successAccids, m.notifyExt, { robot: true });
    }
    return { successAccids, failAccids: [], oldAccids };
  }

  protected membersByRole(m: Req<"membersByRole">): ChatroomMemberView[] {
    this.room();
    const now = Date.now();
    return [...this.members.values()]
      .filter(
        (x) =>
          (m.creator && x.role === "creator") ||
          (m.manager && x.role === "manager") ||
          (m.blacklist && x.blacklisted) ||
          (m.mute && x.muted) ||
          (m.tempMute && x.tempMuteUntil > now),
      )
      .map((x) => memberView(this.roomid, x.accid, x, this.onlineFixed.has(x.accid), now));
  }

  protected async updateMyRole(m: Req<"updateMyRole">): Promise<null> {
    this.openRoom();
    const before = this.members.get(m.accid);
    if (m.save && isFixed(before)) {
      const after: FixedMember = { ...before! };
      if (m.nick !== undefined) after.nick = m.nick;
      if (m.avator !== undefined) after.avator = m.avator;
      if (m.ext !== undefined) after.ext = m.ext;
      await this.saveMember(after, Date.now());
    }
    if (m.needNotify !== false) {
      const data: Record<string, unknown> = {};
      if (m.nick !== undefined) data.nick = m.nick;
      if (m.avator !== undefined) data.avator = m.avator;
      if (m.ext !== undefined) data.ext = m.ext;
      this.notify(Kind.MY_ROLE_UPDATED, m.accid, [m.accid], m.notifyExt, data);
    }
    return null;
  }

  protected async removeRobots(accids: string[], notify = true): Promise<{ successAccids: string[]; failAccids: string[] }> {
    this.room();
    const now = Date.now();
    const successAccids: string[] = [];
    const failAccids: string[] = [];
    const next = new Map(this.members);
    for (const accid of accids) {
      const before = next.get(accid);
      if (!before?.robot) {
        failAccids.push(accid);
        continue;
      }
      const after = { ...before, robot: false };
      if (isWorthKeeping(after, now)) next.set(accid, after);
      else next.delete(accid);
      successAccids.push(accid);
    }
    if (successAccids.length > 0) {
      await this.commit({ ...this.state, members: [...next.values()] });
      if (notify) this.notify(Kind.MEMBER_EXIT, null, successAccids, undefined, { robot: true });
    }
    return { successAccids, failAccids };
  }
}
