import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEvent, userSubject } from "../../src/protocol/user-events.ts";
import { NoticeJournal } from "./notice-journal.ts";
import { MessagingEvents, type SystemNotification } from "../../src/protocol/messages.ts";
import { NOTICE_ENTRY_TYPE, type NoticePayload, type NoticesMessage } from "../../src/contracts/notices.ts";

/**
 * System notifications for one recipient (`notices/<appKey>/<accid>`). A stored one (NIM save=2)
 * is appended to the recipient's own journal conversation — this actor's address — with the next
 * seq, so a device that logs in gets those after its cursor; an online-only one (save=1) is
 * published and never stored. Like a session, the next seq comes from the journal on activation
 * and a seq clash fences a stale activation.
 */
export class NoticesActor extends Actor<null> {
  private readonly journal = new NoticeJournal(this.ctx);

  initialState(): null {
    return null;
  }

  override async onActivate(): Promise<void> {
    await this.journal.activate();
  }

  async receive(message: unknown): Promise<SystemNotification> {
    const m = message as NoticesMessage;
    if (m.t !== "notify") throw new NimbusError("PARAM_ERROR", `unknown notices message ${JSON.stringify((m as { t?: unknown }).t)}`);
    const to = this.ctx.id;
    let notice: SystemNotification;
    if (!m.save) {
      notice = { seq: 0, from: m.from, to, attach: m.attach, time: Date.now(), stored: false };
    } else {
      const payload: NoticePayload = { to, attach: m.attach };
      const { seq, time } = await this.journal.append({ from: m.from, type: NOTICE_ENTRY_TYPE, payload, retainDays: m.retainDays });
      notice = { seq, from: m.from, to, attach: m.attach, time, stored: true };
    }
    this.ctx.publish(userSubject(this.ctx.appKey, to), encodeUserEvent({ ev: MessagingEvents.NOTIFICATION, ...notice }));
    return notice;
  }
}
