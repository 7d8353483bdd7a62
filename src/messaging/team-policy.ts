import type { App } from "../apps/registry.ts";
import type { ConversationProtocol } from "../contracts/conversation.ts";
import { teamAddress, type TeamProtocol } from "../contracts/team.ts";
import { superTeamAddress, userSuperTeamsAddress } from "../contracts/superteam.ts";
import { superTeamConversationId } from "../protocol/superteam.ts";
import type { UserTeamsProtocol } from "../contracts/user-teams.ts";
import type { ConversationRef } from "../conversation/ref.ts";
import { HIDDEN_FOR_OTHERS, isDeleted } from "../conversation/flags.ts";
import { NimbusError, refuse } from "../protocol/errors.ts";
import type { ActorRef } from "../runtime/actor-ref.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { ConversationPolicy } from "./policy.ts";
import { userTeamsAddress } from "../contracts/user-teams.ts";
import { messageOf } from "../conversation/entry.ts";
import type { ConversationSummary } from "../protocol/messages.ts";
import { teamConversationId } from "../protocol/team.ts";
import { mapLimit } from "../util/map-limit.ts";
import { journalRetentionDays } from "./retention.ts";
import { admitTeamSender } from "./admission.ts";

/** What differs between advanced teams and super teams here: their actors, indexes and conversation ids. */
export interface GroupKind {
  kind: "team" | "superteam";
  label: string;
  address(appKey: string, tid: string): ActorRef<ConversationProtocol & TeamProtocolReads>;
  index(appKey: string, accid: string): ActorRef<UserTeamsProtocol>;
  convId(tid: string): string;
}

/** The reads both group actors answer alike. */
type TeamProtocolReads = Pick<TeamProtocol, "position" | "hideSession">;

const TEAMS: GroupKind = { kind: "team", label: "team", address: teamAddress, index: userTeamsAddress, convId: teamConversationId };

/** Super teams: the same policy over their own actors and index. */
export const SUPER_TEAMS: GroupKind = {
  kind: "superteam",
  label: "super team",
  address: superTeamAddress,
  index: userSuperTeamsAddress,
  convId: superTeamConversationId,
};

/** A tid: a positive decimal integer below 2^53 (as ref.ts reads `team:<tid>`). */
const TID = /^[1-9]\d{0,15}$/;
/** Teams read at once while listing a user's conversations. */
const PARALLEL_READS = 8;

/**
 * Advanced teams: the team actor numbers, stores and publishes (one publish per message on the
 * team's subject); it also checks, in the same turn as the append, that the sender is a member
 * and not muted (804, 812) — membership can change between any check here and the send. Here:
 * the sender's account (exists, not blocked, not muted globally or for teams).
 */
export class TeamPolicy implements ConversationPolicy {
  readonly kind: "team" | "superteam";

  constructor(
    private readonly system: ActorSystem,
    private readonly group: GroupKind = TEAMS,
  ) {
    this.kind = group.kind;
  }

  requireParty(ref: ConversationRef, _accid: string, field: string): ConversationRef {
    if (ref.kind !== this.kind || !TID.test(ref.id)) refuse(field, `not a ${this.group.label} id`);
    return ref;
  }

  /** Undefined (no ask, no promise) when the sender's user actor shares its standing on this node. */
  admitSend(appKey: string, from: string): Promise<void> | undefined {
    return admitTeamSender(this.system, appKey, from);
  }

  /** History and read marks: only a member of a team that exists (NIM checkTeamValid). */
  async admitRead(appKey: string, accid: string, conv: ConversationRef): Promise<void> {
    const position = await this.system.ask(this.group.address(appKey, conv.id), { t: "position", accid });
    if (!position)
      throw new NimbusError("TEAM_NOT_MEMBER", `accid: ${accid} is not a member of ${this.group.label} ${conv.id}, or it does not exist`);
  }

  /**
   * The user's teams as conversations: per team its last stored seq and this member's read seq
   * (unread is the difference: nothing is written per member per message) and its newest message.
   */
  async listFor(appKey: string, accid: string): Promise<ConversationSummary[]> {
    const { tids } = await this.system.ask(this.group.index(appKey, accid), { t: "list" });
    const rows = await mapLimit(tids, PARALLEL_READS, async (tid): Promise<ConversationSummary | undefined> => {
      const position = await this.system.ask(this.group.address(appKey, tid), { t: "position", accid });
      // Removed from the list (delRoamSession) and nothing new since.
      if (!position || (position.hiddenAtSeq !== undefined && position.hiddenAtSeq >= position.lastSeq)) return undefined;
      const [last] = await this.system.journal.rangeBySeq({ conversation: this.group.address(appKey, tid), order: "desc", limit: 1 });
      const summary: ConversationSummary = {
        conv: this.group.convId(tid),
        peer: tid,
        lastSeq: position.lastSeq,
        readSeq: position.readSeq,
        unread: Math.max(0, position.lastSeq - position.readSeq),
        updatedAt: last?.time ?? 0,
        joinedAfterSeq: position.joinedAfterSeq,
      };
      if (last && !last.unreadable) summary.lastMessage = messageOf(last);
      return summary;
    });
    return rows.filter((r): r is ConversationSummary => r !== undefined);
  }

  async removeFrom(appKey: string, accid: string, conv: ConversationRef): Promise<boolean> {
    return this.system.ask(this.group.address(appKey, conv.id), { t: "hideSession", accid });
  }

  actor(appKey: string, conv: ConversationRef): ActorRef<ConversationProtocol> {
    return this.group.address(appKey, conv.id);
  }

  journalKey(appKey: string, conv: ConversationRef): string {
    return this.group.address(appKey, conv.id);
  }

  retainDays(app: App): number {
    return journalRetentionDays(app);
  }

  /** A one-way recalled team message is hidden from everyone but its sender. */
  hiddenFor(flags: number, _conv: ConversationRef, accid: string, from: string): boolean {
    // Deleted for everyone (msg/delMsg type 8), or one-way for every member but its sender (type 14).
    return isDeleted(flags) || ((flags & HIDDEN_FOR_OTHERS) !== 0 && accid !== from);
  }
}
