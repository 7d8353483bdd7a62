import { NimbusError } from "../../src/protocol/errors.ts";
import type { TeamInfo, TeamMember, TeamRole } from "../../src/protocol/team.ts";
import type { TeamChanges } from "../../src/contracts/team.ts";

/**
 * Who may do what in a team, from the roles and NIM's mode fields. Pure: the team actor checks
 * these against its own state in the turn that makes the change. Refusals are NIM's 802 (no
 * permission) or 804 (not a member).
 */

function isManagerOrOwner(role: TeamRole): boolean {
  return role === "owner" || role === "manager";
}

/** The acting member; 804 when `by` is not in the team. */
export function actor<M extends TeamMember>(members: ReadonlyMap<string, M>, by: string): M {
  const m = members.get(by);
  if (!m) throw new NimbusError("TEAM_NOT_MEMBER", `${by} is not a member of the team`);
  return m;
}

export function requireOwner(me: TeamMember, what: string): void {
  if (me.role !== "owner") throw new NimbusError("TEAM_NO_PERMISSION", `only the owner may ${what}`);
}

export function requireManager(me: TeamMember, what: string): void {
  if (!isManagerOrOwner(me.role)) throw new NimbusError("TEAM_NO_PERMISSION", `only the owner or a manager may ${what}`);
}

/** invitemode 0: owner and managers; 1: every member. */
export function requireMayInvite(info: Pick<TeamInfo, "invitemode">, me: TeamMember): void {
  if (info.invitemode === 1) return;
  requireManager(me, "invite (invitemode 0)");
}

/** uptinfomode / upcustommode 0: owner and managers; 1: every member. The mode fields and the limit: owner and managers. */
export function requireMayUpdate(info: TeamInfo, me: TeamMember, changes: TeamChanges): void {
  if (isManagerOrOwner(me.role)) return;
  const { custom, tname, icon, announcement, intro, ...modes } = changes;
  if (Object.keys(modes).length > 0)
    throw new NimbusError("TEAM_NO_PERMISSION", "only the owner or a manager may change the team's modes or limit");
  if (custom !== undefined && info.upcustommode !== 1)
    throw new NimbusError("TEAM_NO_PERMISSION", "custom: only the owner or a manager may change it (upcustommode 0)");
  const info4 = [tname, icon, announcement, intro].some((v) => v !== undefined);
  if (info4 && info.uptinfomode !== 1)
    throw new NimbusError("TEAM_NO_PERMISSION", "only the owner or a manager may change the team's info (uptinfomode 0)");
}

/** The owner may act on anyone else; a manager on normal members only. */
export function requireOutranks(me: TeamMember, target: TeamMember, what: string): void {
  if (me.accid === target.accid) throw new NimbusError("TEAM_NO_PERMISSION", `may not ${what} oneself`);
  if (me.role === "owner") return;
  if (me.role === "manager" && target.role === "normal") return;
  throw new NimbusError("TEAM_NO_PERMISSION", `${me.role === "manager" ? "a manager" : "a member"} may not ${what} ${target.accid}`);
}

/** Whether `m` may send now under the team-wide mute and their own. */
export function requireMaySend(info: Pick<TeamInfo, "tid" | "muteType">, m: TeamMember): void {
  if (m.mute) throw new NimbusError("TEAM_MUTED", `${m.accid} is muted in team ${info.tid}`);
  if (info.muteType === 3 || (info.muteType === 1 && m.role === "normal")) throw new NimbusError("TEAM_MUTED", `team ${info.tid} is muted`);
}
