import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";
import type { SystemNotification } from "../protocol/messages.ts";

/**
 * The notices actor's messages (`notices/<appKey>/<accid>`): system notifications for one
 * recipient (NIM `msg/sendAttachMsg`). Stored ones (save=2) are numbered 1, 2, 3… in the
 * recipient's own journal conversation, which is the actor's address; online-only ones (save=1)
 * are published and forgotten, with seq 0.
 */
export type NoticesProtocol = {
  /** `retainDays`: how long a stored notification is kept (the app's offline window). */
  notify: { request: { from: string; attach: string; save: boolean; retainDays: number }; reply: SystemNotification };
};

export type NoticesMessage = RequestOf<NoticesProtocol>;

export type { SystemNotification };

/** What a stored notification keeps in `JournalEntry.payload`. */
export interface NoticePayload {
  to: string;
  attach: string;
}

/** NIM message type 5, "notification": what the journal records for a system notification. */
export const NOTICE_ENTRY_TYPE = 5;

export const NOTICES_KIND = "notices";

export function noticesAddress(appKey: string, accid: string): ActorRef<NoticesProtocol> {
  return actorRef<NoticesProtocol>(NOTICES_KIND, appKey, accid);
}
