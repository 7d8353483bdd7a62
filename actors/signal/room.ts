import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEvent, userSubject } from "../../src/protocol/user-events.ts";
import { SIGNAL_EVENT, SIGNAL_TYPE_NAMES, type SignalEvent, type SignalEventType, type SignalRoom } from "../../src/protocol/signal.ts";
import { signalBoxAddress, signalNameAddress, type SignalRoomMessage } from "../../src/contracts/signal.ts";

/** NIM: a room takes at most this many members. */
const MEMBERS_MAX = 100;
/** Invitations a room remembers (answered ones included, so a late answer is told why). */
const INVITES_MAX = 200;

interface Invite {
  from: string;
  to: string;
  requestId: string;
  state: "pending" | "accepted" | "rejected" | "cancelled";
}

export interface SignalRoomState {
  room: Omit<SignalRoom, "members" | "channelId"> | null;
  members: SignalRoom["members"];
  invites: Invite[];
  nextUid: number;
  closed: boolean;
}

/**
 * One signalling room (`signal/<appKey>/<channelId>`). Its state — members, uids, invitations —
 * is saved before every answer, so what a party was told survives a failover. Each event is
 * published to the user subject of each party it concerns (the invitee, the inviter, the members):
 * rooms are a call's few people, not a team, so per-party subjects are what reach them. A room
 * past its expiry, or closed, answers 10404 to everything and lets its name go.
 */
export class SignalRoomActor extends Actor<SignalRoomState> {
  initialState(): SignalRoomState {
    return { room: null, members: [], invites: [], nextUid: 1, closed: false };
  }

  async receive(message: unknown): Promise<unknown> {
    // Handlers change the state in place before they save it: a failed save must not leave this
    // activation believing what the store does not hold. Refusals (NimbusError) come before any
    // change, or after a save (an expired room): those keep the state. A room is a few members:
    // the copy is cheap.
    const before = structuredClone(this.state);
    try {
      return await this.handle(message as SignalRoomMessage);
    } catch (err) {
      if (!(err instanceof NimbusError)) this.state = before;
      throw err;
    }
  }

  private async handle(m: SignalRoomMessage): Promise<unknown> {
    if (m.t === "create") return this.create(m);
    // Closing twice is not an error (an app server may retry); nothing is announced again.
    if (m.t === "close" && this.state.room && this.state.closed) return null;
    const room = await this.live();
    switch (m.t) {
      case "info":
        return this.view(room);
      case "delay": {
        room.channelExpireTime = Date.now() + m.ttlMs;
        for (const member of this.state.members) member.expireTime = room.channelExpireTime;
        await this.ctx.persist();
        this.ctx.tell(signalNameAddress(this.ctx.appKey, room.channelName), {
          t: "extend",
          channelId: this.ctx.id,
          expireAt: room.channelExpireTime,
        });
        return this.view(room);
      }
      case "close":
        this.state.closed = true;
        await this.ctx.persist();
        this.publish(
          room,
          "CLOSE",
          this.state.members.map((x) => x.accid),
          { from: m.from, attachExt: m.attachExt },
        );
        for (const i of this.state.invites) if (i.state === "pending") this.unbox(i);
        this.ctx.tell(signalNameAddress(this.ctx.appKey, room.channelName), { t: "release", channelId: this.ctx.id });
        return null;
      case "ctrl": {
        if (m.to !== undefined && !this.memberOf(m.to)) throw new NimbusError("SIGNAL_NOT_MEMBER", `to: ${m.to} is not in the room`);
        const to = m.to === undefined ? this.state.members.map((x) => x.accid) : [m.to];
        this.publish(room, "CTRL", to, { from: m.from, attachExt: m.attachExt, ...(m.to !== undefined && { to: m.to }) });
        return null;
      }
      case "invite":
        return this.invite(room, m);
      case "cancel": {
        const i = this.pendingInvite(m.from, m.to, m.requestId, "requestId");
        i.state = "cancelled";
        await this.ctx.persist();
        this.unbox(i);
        this.publish(room, "CANCEL_INVITE", [m.to], { from: m.from, to: m.to, requestId: m.requestId, attachExt: m.attachExt });
        return null;
      }
      case "accept": {
        const i = this.pendingInvite(m.inviter, m.by, m.requestId, "requestId");
        if (m.join) this.addMember(m.by, m.deviceId, m.uid, room);
        i.state = "accepted";
        await this.ctx.persist();
        this.unbox(i);
        this.publish(room, "ACCEPT", [m.inviter, m.by], { from: m.by, to: m.inviter, requestId: m.requestId, attachExt: m.attachExt });
        if (m.join) this.announceJoin(room, m.by, m.attachExt);
        return this.view(room);
      }
      case "reject": {
        const i = this.pendingInvite(m.inviter, m.by, m.requestId, "requestId");
        i.state = "rejected";
        await this.ctx.persist();
        this.unbox(i);
        this.publish(room, "REJECT", [m.inviter, m.by], { from: m.by, to: m.inviter, requestId: m.requestId, attachExt: m.attachExt });
        return null;
      }
      case "join":
        this.addMember(m.accid, m.deviceId, m.uid, room);
        await this.ctx.persist();
        this.announceJoin(room, m.accid, m.attachExt);
        return this.view(room);
      case "leave":
      case "kick": {
        const who = m.t === "leave" ? m.accid : m.to;
        if (!this.memberOf(who))
          throw new NimbusError("SIGNAL_NOT_MEMBER", `${m.t === "leave" ? "accid" : "to"}: ${who} is not in the room`);
        const everyone = this.state.members.map((x) => x.accid);
        this.state.members = this.state.members.filter((x) => x.accid !== who);
        await this.ctx.persist();
        if (m.t === "leave") this.publish(room, "LEAVE", everyone, { from: who, attachExt: m.attachExt });
        else this.publish(room, "KICK", everyone, { from: m.from, to: who, attachExt: m.attachExt });
        return null;
      }
      default:
        throw new NimbusError("PARAM_ERROR", `unknown signal message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private async create(m: Extract<SignalRoomMessage, { t: "create" }>): Promise<SignalRoom> {
    if (this.state.room) throw new NimbusError("SIGNAL_ROOM_EXISTS", `channelId: room ${this.ctx.id} already exists`);
    const now = Date.now();
    this.state = {
      room: {
        channelName: m.channelName,
        type: SIGNAL_TYPE_NAMES[m.type] ?? "CUSTOM",
        creator: m.creator,
        ext: m.ext,
        channelCreateTime: now,
        channelExpireTime: now + m.ttlMs,
      },
      members: [],
      invites: [],
      nextUid: 1,
      closed: false,
    };
    await this.ctx.persist();
    return this.view(this.state.room!);
  }

  /** The room, unless it never was, was closed or has expired (then its name is let go). */
  private async live(): Promise<NonNullable<SignalRoomState["room"]>> {
    const room = this.state.room;
    if (!room || this.state.closed) throw new NimbusError("SIGNAL_ROOM_NOT_FOUND", `channelId: no room ${this.ctx.id}`);
    if (room.channelExpireTime <= Date.now()) {
      this.state.closed = true;
      await this.ctx.persist();
      this.ctx.tell(signalNameAddress(this.ctx.appKey, room.channelName), { t: "release", channelId: this.ctx.id });
      throw new NimbusError("SIGNAL_ROOM_NOT_FOUND", `channelId: room ${this.ctx.id} has expired`);
    }
    return room;
  }

  private async invite(room: NonNullable<SignalRoomState["room"]>, m: Extract<SignalRoomMessage, { t: "invite" }>): Promise<null> {
    if (this.memberOf(m.to)) throw new NimbusError("SIGNAL_ALREADY_MEMBER", `to: ${m.to} is already in the room`);
    const known = this.state.invites.find((i) => i.to === m.to && i.requestId === m.requestId);
    if (known) throw new NimbusError("DUPLICATE_OPERATION", `requestId: ${m.requestId} already invited ${m.to} to this room`);
    this.state.invites.push({ from: m.from, to: m.to, requestId: m.requestId, state: "pending" });
    if (this.state.invites.length > INVITES_MAX) this.state.invites.shift();
    await this.ctx.persist();
    const event = this.publish(room, "INVITE", [m.to], { from: m.from, to: m.to, requestId: m.requestId, attachExt: m.attachExt });
    // NIM isSave: kept for the invitee's devices that log in while it is open.
    if (m.save) this.ctx.tell(signalBoxAddress(this.ctx.appKey, m.to), { t: "add", event, expireAt: room.channelExpireTime });
    return null;
  }

  private pendingInvite(from: string, to: string, requestId: string, field: string): Invite {
    const i = this.state.invites.find((x) => x.from === from && x.to === to && x.requestId === requestId);
    if (!i) throw new NimbusError("SIGNAL_INVITE_INVALID", `${field}: no invitation ${requestId} from ${from} to ${to}`);
    if (i.state === "accepted") throw new NimbusError("SIGNAL_INVITE_ACCEPTED", `${field}: invitation ${requestId} was accepted`);
    if (i.state === "rejected") throw new NimbusError("SIGNAL_INVITE_REJECTED", `${field}: invitation ${requestId} was rejected`);
    if (i.state === "cancelled") throw new NimbusError("SIGNAL_INVITE_INVALID", `${field}: invitation ${requestId} was cancelled`);
    return i;
  }

  private unbox(i: Invite): void {
    this.ctx.tell(signalBoxAddress(this.ctx.appKey, i.to), { t: "remove", channelId: this.ctx.id, requestId: i.requestId });
  }

  private memberOf(accid: string): boolean {
    return this.state.members.some((x) => x.accid === accid);
  }

  private addMember(accid: string, deviceId: string, uid: number | undefined, room: NonNullable<SignalRoomState["room"]>): void {
    if (this.memberOf(accid)) throw new NimbusError("SIGNAL_ALREADY_MEMBER", `accid: ${accid} is already in the room`);
    if (this.state.members.length >= MEMBERS_MAX) throw new NimbusError("SIGNAL_ROOM_FULL", `channelId: at most ${MEMBERS_MAX} members`);
    if (uid !== undefined && this.state.members.some((x) => x.uid === uid))
      throw new NimbusError("SIGNAL_UID_CONFLICT", `uid: ${uid} is taken`);
    let given = uid;
    if (given === undefined) {
      while (this.state.members.some((x) => x.uid === this.state.nextUid)) this.state.nextUid++;
      given = this.state.nextUid++;
    }
    this.state.members.push({ accid, uid: given, deviceId, createTime: Date.now(), expireTime: room.channelExpireTime });
  }

  private announceJoin(room: NonNullable<SignalRoomState["room"]>, accid: string, attachExt: string): void {
    const member = this.state.members.find((x) => x.accid === accid)!;
    this.publish(
      room,
      "JOIN",
      this.state.members.map((x) => x.accid),
      { from: accid, uid: member.uid, attachExt },
    );
  }

  /** Encodes the event once and publishes it on each named account's subject. */
  private publish(
    room: NonNullable<SignalRoomState["room"]>,
    type: SignalEventType,
    to: readonly string[],
    fields: Omit<SignalEvent, "type" | "channelId" | "channelName" | "channelType" | "time">,
  ): SignalEvent {
    const event: SignalEvent = {
      type,
      channelId: this.ctx.id,
      channelName: room.channelName,
      channelType: room.type,
      time: Date.now(),
      ...fields,
    };
    if (event.attachExt === "") delete event.attachExt;
    const bytes = encodeUserEvent({ ev: SIGNAL_EVENT, ...event });
    for (const accid of new Set(to)) this.ctx.publish(userSubject(this.ctx.appKey, accid), bytes);
    return event;
  }

  private view(room: NonNullable<SignalRoomState["room"]>): SignalRoom {
    return { channelId: this.ctx.id, ...room, members: this.state.members.map((x) => ({ ...x })) };
  }
}
