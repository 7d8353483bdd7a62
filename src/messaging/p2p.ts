import type { App, AppRegistry } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { Journal } from "../store/port.ts";
import { NimbusError, refuse } from "../protocol/errors.ts";
import { uuidV7 } from "../util/uuid-v7.ts";
import { inboxAddress, type InboxMessage } from "../contracts/inbox.ts";
import { noticesAddress, type NoticesMessage } from "../contracts/notices.ts";
import { sessionAddress, type SessionMessage, type SessionProtocol } from "../contracts/session.ts";
import type { ReplyOf } from "../runtime/actor-ref.ts";
import { conversationOf } from "../conversation/ref.ts";
import { admitSend, requireAccounts } from "./admission.ts";
import { DAY_MS } from "../conversation/entry.ts";
import { checkHistoryQuery, readHistory } from "./history.ts";
import { journalRetentionDays } from "./retention.ts";
import type { MessagingService } from "./service.ts";
import { syncFor } from "./sync.ts";
import {
  type ConversationSummary,
  type ReadReceipt,
  type RecallEvent,
  type SendAck,
  type SendInput,
  type SystemNotification,
} from "../protocol/messages.ts";
import { ATTACH_MAX, checkAccid, checkSendInput } from "./validate.ts";

export interface P2pDeps {
  system: ActorSystem;
  apps: AppRegistry;
  /** Reads (history, sync) go to the journal directly: it is the truth, and reads need no turn of an actor. */
  journal: Journal;
}

/** An app server may recall with ignoreTime up to this old (NIM: 30 days). */
const IGNORE_TIME_MAX_MS = 30 * DAY_MS;

function positiveInt(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) refuse(field, "must be a positive integer");
  return v;
}

/**
 * The p2p messaging service both edges call. It checks what the edge could not (input shape,
 * accounts, relations, windows) and hands each change to the conversation's actor, which numbers,
 * stores and publishes; reads go to the journal. Every refusal is a NimbusError with NIM's code.
 */
export class P2pMessaging implements MessagingService {
  constructor(private readonly deps: P2pDeps) {}

  private app(appKey: string): App {
    const app = this.deps.apps.get(appKey);
    if (!app) throw new NimbusError("NOT_FOUND", `no app ${appKey}`);
    return app;
  }

  private askSession<M extends SessionMessage>(appKey: string, a: string, b: string, message: M): Promise<ReplyOf<SessionProtocol, M>> {
    return this.deps.system.ask(sessionAddress(appKey, conversationOf(a, b)), message);
  }

  async send(appKey: string, raw: Parameters<MessagingService["send"]>[1]): Promise<SendAck> {
    const app = this.app(appKey);
    const input = checkSendInput(raw);
    const admitting = admitSend(this.deps.system, appKey, input.from, input.to);
    if (admitting) await admitting;
    // `input` is checkSendInput's own new object: completed in place rather than copied.
    // Time-ordered, as the SDK's: the store's resend index then grows at its end (src/client/client-msg-id.ts).
    input.clientMsgId ??= uuidV7();
    return this.askSession(appKey, input.from, input.to, {
      t: "send",
      input: input as SendInput & { clientMsgId: string },
      retainDays: journalRetentionDays(app),
    });
  }

  async recall(appKey: string, req: Parameters<MessagingService["recall"]>[1]): Promise<RecallEvent> {
    const app = this.app(appKey);
    const from = checkAccid(req.from, "from");
    const to = checkAccid(req.to, "to");
    if (from === to) refuse("to", "must not be the sender");
    const msgid = positiveInt(req.msgid, "msgid");
    const by = req.by === null ? null : checkAccid(req.by, "by");
    // A device may recall only what it sent; the app server may recall any message.
    if (by !== null && by !== from) throw new NimbusError("FORBIDDEN", "only the sender may recall a message");
    const windowMs = app.limits.recallWindowSeconds * 1000;
    const maxAgeMs = by === null && req.ignoreTime === true ? IGNORE_TIME_MAX_MS : windowMs;
    return this.askSession(appKey, from, to, { t: "recall", by, ...(by === null && { from }), msgid, maxAgeMs });
  }

  async deleteOneWay(appKey: string, req: Parameters<MessagingService["deleteOneWay"]>[1]): Promise<void> {
    this.app(appKey);
    const accid = checkAccid(req.accid, "accid");
    const peer = checkAccid(req.peer, "peer");
    if (accid === peer) refuse("peer", "must not be the account itself");
    const msgid = positiveInt(req.msgid, "msgid");
    await this.askSession(appKey, accid, peer, { t: "deleteOneWay", accid, msgid });
  }

  async markRead(appKey: string, req: Parameters<MessagingService["markRead"]>[1]): Promise<ReadReceipt> {
    this.app(appKey);
    const reader = checkAccid(req.reader, "reader");
    const peer = checkAccid(req.peer, "peer");
    if (reader === peer) refuse("peer", "must not be the reader");
    if (typeof req.seq !== "number" || !Number.isSafeInteger(req.seq) || req.seq < 0) refuse("seq", "must be a non-negative integer");
    return this.askSession(appKey, reader, peer, { t: "markRead", reader, seq: req.seq });
  }

  async history(appKey: string, query: Parameters<MessagingService["history"]>[1]) {
    const app = this.app(appKey);
    return readHistory(this.deps.journal, app, checkHistoryQuery(query));
  }

  async conversations(appKey: string, accid: string, opts: { limit?: number; updatedSince?: number } = {}): Promise<ConversationSummary[]> {
    this.app(appKey);
    const who = checkAccid(accid, "accid");
    if (opts.limit !== undefined && (!Number.isSafeInteger(opts.limit) || opts.limit < 1)) refuse("limit", "must be a positive integer");
    if (opts.updatedSince !== undefined && !Number.isFinite(opts.updatedSince)) refuse("updatedSince", "must be a time in ms");
    return this.list(appKey, who, opts);
  }

  private list(
    appKey: string,
    accid: string,
    opts: { limit?: number; updatedSince?: number; all?: boolean },
  ): Promise<ConversationSummary[]> {
    const m: InboxMessage = { t: "list", ...opts };
    return this.deps.system.ask(inboxAddress(appKey, accid), m);
  }

  async sync(appKey: string, accid: string, req: Parameters<MessagingService["sync"]>[2]) {
    const app = this.app(appKey);
    const who = checkAccid(accid, "accid");
    return syncFor({ journal: this.deps.journal, app, accid: who, now: Date.now(), list: (opts) => this.list(appKey, who, opts) }, req);
  }

  async notify(appKey: string, req: Parameters<MessagingService["notify"]>[1]): Promise<SystemNotification> {
    const app = this.app(appKey);
    const from = checkAccid(req.from, "from");
    const to = checkAccid(req.to, "to");
    if (typeof req.attach !== "string" || req.attach.length === 0) refuse("attach", "required");
    if (req.attach.length > ATTACH_MAX) refuse("attach", `too long: at most ${ATTACH_MAX} characters`);
    if (typeof req.save !== "boolean") refuse("save", "must be true or false");
    await requireAccounts(this.deps.system, appKey, [
      { field: "from", accid: from },
      { field: "to", accid: to },
    ]);
    const m: NoticesMessage = { t: "notify", from, attach: req.attach, save: req.save, retainDays: app.limits.offlineDays };
    return this.deps.system.ask(noticesAddress(appKey, to), m);
  }
}
