import type { ChatroomMemberView } from "../../src/contracts/chatroom.ts";
import { NimbusError } from "../../src/protocol/errors.ts";

/** A fixed member's role; "none" is a record kept only for a flag (blacklisted, muted, a robot). */
export type MemberRole = "creator" | "manager" | "normal" | "none";

/**
 * A member the room remembers across entries: the creator, managers, normal (fixed) members, and
 * anyone blacklisted, muted or temporarily muted, and robots. Guests who only watch are not here.
 */
export interface FixedMember {
  accid: string;
  role: MemberRole;
  blacklisted: boolean;
  muted: boolean;
  /** ms until which the member may not speak; 0 = not temporarily muted. */
  tempMuteUntil: number;
  nick: string;
  avator: string;
  ext: string;
  robot: boolean;
  /** When the record was made or its role last changed (membersByPage pages by it). */
  updatedAt: number;
}

export function blankMember(accid: string, now: number): FixedMember {
  return {
    accid,
    role: "none",
    blacklisted: false,
    muted: false,
    tempMuteUntil: 0,
    nick: "",
    avator: "",
    ext: "",
    robot: false,
    updatedAt: now,
  };
}

/** Whether the record still says anything; one that does not is dropped. */
export function isWorthKeeping(m: FixedMember, now: number): boolean {
  return m.role !== "none" || m.blacklisted || m.muted || m.tempMuteUntil > now || m.robot;
}

export function isFixed(m: FixedMember | undefined): boolean {
  return m !== undefined && m.role !== "none";
}

export function isManagerOrCreator(m: FixedMember | undefined): boolean {
  return m !== undefined && (m.role === "creator" || m.role === "manager");
}

/** NIM's member type name. */
export function memberType(m: FixedMember | undefined): string {
  if (!m) return "GUEST";
  if (m.blacklisted) return "LIMITED";
  switch (m.role) {
    case "creator":
      return "CREATOR";
    case "manager":
      return "MANAGER";
    case "normal":
      return "COMMON";
    default:
      return "GUEST";
  }
}

/** Whether `m` may not speak now (muted, or temporarily muted until later). */
export function isMutedMember(m: FixedMember | undefined, now: number): boolean {
  return m !== undefined && (m.muted || m.tempMuteUntil > now);
}

export function memberView(roomid: number, accid: string, m: FixedMember | undefined, online: boolean, now: number): ChatroomMemberView {
  const tempMuted = m !== undefined && m.tempMuteUntil > now;
  return {
    roomid,
    accid,
    nick: m?.nick ?? "",
    avator: m?.avator ?? "",
    ext: m?.ext ?? "",
    type: memberType(m),
    level: 0,
    onlineStat: online,
    enterTime: m?.updatedAt ?? 0,
    blacklisted: m?.blacklisted ?? false,
    muted: m?.muted ?? false,
    tempMuted,
    tempMuteTtl: tempMuted ? Math.ceil((m.tempMuteUntil - now) / 1000) : 0,
    isRobot: m?.robot ?? false,
    robotExpirAt: 0,
  };
}

/**
 * NIM's permission rules for acting on another member: the app server (null) may do anything; the
 * creator may act on anyone but itself; a manager only on members below managers. What `opt`
 * needs on top (only the creator names managers) is the caller's to check.
 */
export function requireAuthority(operator: string | null, op: FixedMember | undefined, target: string, t: FixedMember | undefined): void {
  if (operator === null) {
    if (t?.role === "creator") throw new NimbusError("FORBIDDEN", `target: ${target} is the room's creator`);
    return;
  }
  if (operator === target) throw new NimbusError("FORBIDDEN", "target: an operator cannot act on itself");
  if (!isManagerOrCreator(op)) throw new NimbusError("FORBIDDEN", `operator: ${operator} is neither the creator nor a manager of the room`);
  if (t?.role === "creator") throw new NimbusError("FORBIDDEN", `target: ${target} is the room's creator`);
  if (op!.role === "manager" && t?.role === "manager")
    throw new NimbusError("FORBIDDEN", `target: ${target} is a manager; only the creator may do that`);
}
