import { randomUUID } from "node:crypto";
import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEventOf } from "../../src/protocol/user-events.ts";
import { DAY_MS } from "../../src/conversation/entry.ts";
import { MessagingEvents, type SystemNotification } from "../../src/protocol/messages.ts";
import { teamSubject } from "../../src/protocol/team.ts";
import { teamAddress } from "../../src/contracts/team.ts";
import { TEAM_NOTICE_ENTRY_TYPE, type TeamNoticePayload, type TeamNoticesMessage } from "../../src/contracts/team-notices.ts";

/**
 * A team's stored custom notifications (`teamnotices/<appKey>/<tid>`). Each is appended ONCE to
 * this actor's journal conversation with the next seq, then published once on the team's subject
 * (every node with a member online writes the same bytes to its members' devices); a member whose
 * devices were offline gets it in the login sync, after its cursor for the team. Kept apart from
 * the team's own journal so message seqs, history and unread counts never see it. Membership is
 * the team actor's: asked once per notification (these are rare, server-API-made), and the team's
 * seq then is kept with it, so a member's devices are never handed one from before they joined.
 */
export class TeamNoticesActor extends Actor<null> {
  private lastSeq = 0;

  initialState(): null {
    return null;
  }

  override async onActivate(): Promise<void> {
    const [last] = await this.ctx.journal.rangeBySeq({ conversation: this.ctx.address, order: "desc", limit: 1 });
    this.lastSeq = last?.seq ?? 0;
  }

  async receive(message: unknown): Promise<SystemNotification> {
    const m = message as TeamNoticesMessage;
    if (m.t !== "notify") throw new NimbusError("PARAM_ERROR", `unknown team notices message ${JSON.stringify((m as { t?: unknown }).t)}`);
    const tid = this.ctx.id;
    const team = teamAddress(this.ctx.appKey, tid);
    // The sender's membership and the team's seq in one team turn: the seq tells later which members
    // joined after this notice (TeamNoticePayload.teamSeq).
    const position = await this.ctx.ask(team, { t: "position", accid: m.from });
    if (!position) {
      const view = await this.ctx.ask(team, { t: "get" });
      if (!view || !view.info.valid) throw new NimbusError("TEAM_NOT_FOUND", `tid: team ${tid} does not exist`);
      throw new NimbusError("TEAM_NOT_MEMBER", `${m.from} is not a member of the team`);
    }
    const time = Date.now();
    const seq = this.lastSeq + 1;
    const payload: TeamNoticePayload = { tid, attach: m.attach, teamSeq: position.lastSeq };
    await this.ctx.journal.append([
      {
        conversation: this.ctx.address,
        seq,
        msgid: await this.ctx.nextId("msgid"),
        // Notifications are not deduplicated; a random id keeps the journal's unique key happy.
        clientMsgId: randomUUID(),
        from: m.from,
        time,
        type: TEAM_NOTICE_ENTRY_TYPE,
        flags: 0,
        expireAt: time + m.retainDays * DAY_MS,
        payload: payload as unknown as Record<string, unknown>,
      },
    ]);
    this.lastSeq = seq;
    const notice: SystemNotification = { seq, from: m.from, to: tid, tid, attach: m.attach, time, stored: true };
    this.ctx.publish(teamSubject(this.ctx.appKey, tid), encodeUserEventOf(MessagingEvents.NOTIFICATION, notice));
    return notice;
  }
}
