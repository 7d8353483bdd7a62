import type { App } from "../apps/registry.ts";
import type { Journal } from "../store/port.ts";
import { refuse } from "../protocol/errors.ts";
import { messageOf, optionOf } from "../conversation/entry.ts";
import { isRecalled } from "../conversation/flags.ts";
import { historyCutoff } from "./retention.ts";
import { scanJournal } from "./scan.ts";
import type { HistoryQuery } from "./service.ts";
import type { ConversationRef } from "../conversation/ref.ts";
import type { ConversationPolicy } from "./policy.ts";
import type { Message } from "../protocol/messages.ts";
import { checkAccid, isPlainObject } from "./validate.ts";

export const HISTORY_LIMIT_MAX = 100;

function optionalInt(v: unknown, field: string, min: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) refuse(field, `must be an integer of at least ${min}`);
  return v;
}

/**
 * A history query as a device or the REST API may send it, checked and with the account
 * lower-cased; the conversation is checked by its kind's policy.
 */
export function checkHistoryQuery(raw: unknown): HistoryQuery {
  if (!isPlainObject(raw)) refuse("query", "not an object");
  const accid = checkAccid(raw.accid, "accid");
  if (!isPlainObject(raw.conv)) refuse("peer", "required");
  const limit = raw.limit;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > HISTORY_LIMIT_MAX) {
    refuse("limit", `must be an integer from 1 to ${HISTORY_LIMIT_MAX}`);
  }
  if (raw.order !== "asc" && raw.order !== "desc") refuse("order", 'must be "asc" or "desc"');
  const types = raw.types;
  if (types !== undefined && types !== null && (!Array.isArray(types) || !types.every((t) => Number.isSafeInteger(t)))) {
    refuse("types", "must be a list of message types");
  }
  const q: HistoryQuery = { accid, conv: raw.conv as unknown as ConversationRef, limit, order: raw.order };
  const fromSeq = optionalInt(raw.fromSeq, "fromSeq", 0);
  const toSeq = optionalInt(raw.toSeq, "toSeq", 0);
  const fromTime = optionalInt(raw.fromTime, "fromTime", 0);
  const toTime = optionalInt(raw.toTime, "toTime", 0);
  if (fromSeq !== undefined) q.fromSeq = fromSeq;
  if (toSeq !== undefined) q.toSeq = toSeq;
  if (fromTime !== undefined) q.fromTime = fromTime;
  if (toTime !== undefined) q.toTime = toTime;
  if (Array.isArray(types)) q.types = types as number[];
  const excludeMsgid = optionalInt(raw.excludeMsgid, "excludeMsgid", 1);
  if (excludeMsgid !== undefined) q.excludeMsgid = excludeMsgid;
  if (raw.withoutRecalled !== undefined && typeof raw.withoutRecalled !== "boolean") refuse("withoutRecalled", "must be true or false");
  if (raw.withoutRecalled === true) q.withoutRecalled = true;
  return q;
}

/**
 * One conversation's history as `accid` sees it: within the app's history window, without what
 * they deleted one-way and without messages sent with option.history false; recalled messages
 * stay as markers without a body unless the query leaves them out (filtered before the limit, so
 * a page is never short for them).
 */
export async function readHistory(
  journal: Journal,
  app: App,
  q: HistoryQuery,
  policy: Pick<ConversationPolicy, "journalKey" | "hiddenFor">,
  now = Date.now(),
): Promise<Message[]> {
  const conversation = policy.journalKey(app.appKey, q.conv);
  const cutoff = historyCutoff(app, now);
  const types = q.types && q.types.length > 0 ? new Set(q.types) : undefined;
  const { fromSeq, toSeq } = await startAfterExcluded(journal, conversation, q);
  const entries = await scanJournal(
    journal,
    conversation,
    {
      order: q.order,
      ...(fromSeq !== undefined && { fromSeq }),
      ...(toSeq !== undefined && { toSeq }),
      fromTime: Math.max(q.fromTime ?? cutoff, cutoff),
      ...(q.toTime !== undefined && { toTime: q.toTime }),
    },
    (e) =>
      e.msgid !== q.excludeMsgid &&
      e.expireAt > now &&
      !policy.hiddenFor(e.flags, q.conv, q.accid, e.from) &&
      optionOf(e).history !== false &&
      !(q.withoutRecalled === true && isRecalled(e.flags)) &&
      (types === undefined || types.has(e.type)),
    q.limit,
  );
  return entries.map(messageOf);
}

/**
 * The seq bounds of a page, narrowed by `excludeMsgid` (HistoryRequest): a conversation's times
 * never go back as its seqs grow, so "after the excluded message, among those of its
 * millisecond" is "after its seq". A msgid of another conversation, or at another time, narrows
 * nothing (it is only left out).
 */
async function startAfterExcluded(
  journal: Journal,
  conversation: string,
  q: HistoryQuery,
): Promise<{ fromSeq: number | undefined; toSeq: number | undefined }> {
  let { fromSeq, toSeq } = q;
  const startTime = q.order === "asc" ? q.fromTime : q.toTime;
  if (q.excludeMsgid === undefined || startTime === undefined) return { fromSeq, toSeq };
  const excluded = await journal.getByMsgid(q.excludeMsgid);
  if (!excluded || excluded.conversation !== conversation || excluded.time !== startTime) return { fromSeq, toSeq };
  if (q.order === "asc") fromSeq = Math.max(fromSeq ?? 0, excluded.seq + 1);
  else toSeq = Math.min(toSeq ?? Number.MAX_SAFE_INTEGER, excluded.seq - 1);
  return { fromSeq, toSeq };
}
