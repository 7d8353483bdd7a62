import type { SystemNotification } from "../src/protocol/messages.ts";

/**
 * The notices actor's messages (`notices/<appKey>/<accid>`): system notifications for one
 * recipient (NIM `msg/sendAttachMsg`). Stored ones (save=2) are numbered 1, 2, 3… in the
 * recipient's own journal conversation, which is the actor's address; online-only ones (save=1)
 * are published and forgotten, with seq 0.
 */
export type NoticesMessage = {
  t: "notify";
  from: string;
  attach: string;
  save: boolean;
  /** How long a stored notification is kept (the app's offline window). */
  retainDays: number;
};

export type { SystemNotification };

/** What a stored notification keeps in `JournalEntry.payload`. */
export interface NoticePayload {
  to: string;
  attach: string;
}

/** NIM message type 5, "notification": what the journal records for a system notification. */
export const NOTICE_ENTRY_TYPE = 5;

export const NOTICES_KIND = "notices";

export function noticesAddress(appKey: string, accid: string): string {
  return `${NOTICES_KIND}/${appKey}/${accid}`;
}
