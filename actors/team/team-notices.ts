import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEventOf } from "../../src/protocol/user-events.ts";
import { NoticeJournal } from "../notices/notice-journal.ts";
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
  private readonly journal = new NoticeJournal(this.ctx);

  initialState(): null {
    return null;
  }

  override async onActivate(): Promise<void> {
    await this.journal.activate();
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
    const payload: TeamNoticePayload = { tid, attach: m.attach, teamSeq: position.lastSeq };
    const { seq, time } = await this.journal.append({ from: m.from, type: TEAM_NOTICE_ENTRY_TYPE, payload, retainDays: m.retainDays });
    const notice: SystemNotification = { seq, from: m.from, to: tid, tid, attach: m.attach, time, stored: true };
    this.ctx.publish(teamSubject(this.ctx.appKey, tid), encodeUserEventOf(MessagingEvents.NOTIFICATION, notice));
    return notice;
  }
}
