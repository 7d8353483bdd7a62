import { randomUUID } from "node:crypto";
import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEvent, userSubject } from "../../src/protocol/user-events.ts";
import { DAY_MS } from "../../src/conversation/entry.ts";
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
  private lastSeq = 0;

  initialState(): null {
    return null;
  }

  override async onActivate(): Promise<void> {
    const [last] = await this.ctx.journal.rangeBySeq({ conversation: this.ctx.address, order: "desc", limit: 1 });
    this.lastSeq = last?.seq ?? 0;
  }

  async receive(message: unknown): Promise<SystemNotification> {
    const m = message as NoticesMessage;
    if (m.t !== "notify") throw new NimbusError("PARAM_ERROR", `unknown notices message ${JSON.stringify((m as { t?: unknown }).t)}`);
    const to = this.ctx.id;
    const time = Date.now();
    let notice: SystemNotification;
    if (!m.save) {
      notice = { seq: 0, from: m.from, to, attach: m.attach, time, stored: false };
    } else {
      const seq = this.lastSeq + 1;
      const payload: NoticePayload = { to, attach: m.attach };
      await this.ctx.journal.append([
        {
          conversation: this.ctx.address,
          seq,
          msgid: await this.ctx.nextId("msgid"),
          // Notifications are not deduplicated; a random id keeps the journal's unique key happy.
          clientMsgId: randomUUID(),
          from: m.from,
          time,
          type: NOTICE_ENTRY_TYPE,
          flags: 0,
          expireAt: time + m.retainDays * DAY_MS,
          payload: payload as unknown as Record<string, unknown>,
        },
      ]);
      this.lastSeq = seq;
      notice = { seq, from: m.from, to, attach: m.attach, time, stored: true };
    }
    this.ctx.publish(userSubject(this.ctx.appKey, to), encodeUserEvent({ ev: MessagingEvents.NOTIFICATION, ...notice }));
    return notice;
  }
}
