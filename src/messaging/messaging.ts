import type { App, AppRegistry } from "../apps/registry.ts";
import type { ConversationProtocol, MessageRef } from "../contracts/conversation.ts";
import { inboxAddress, type InboxMessage } from "../contracts/inbox.ts";
import { noticesAddress, type NoticesMessage } from "../contracts/notices.ts";
import { DAY_MS } from "../conversation/entry.ts";
import { parseConversation, type ConversationId, type ConversationKind, type ConversationRef } from "../conversation/ref.ts";
import { NimbusError, refuse } from "../protocol/errors.ts";
import type {
  ConversationSummary,
  DeleteEvent,
  MessageInput,
  ReadReceipt,
  RecallEvent,
  SendAck,
  SystemNotification,
} from "../protocol/messages.ts";
import type { ActorRef, ReplyOf, RequestOf } from "../runtime/actor-ref.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { Bus } from "../bus/port.ts";
import type { Journal } from "../store/port.ts";
import { longerThan, tooLongProblem } from "../protocol/text-length.ts";
import { uuidV7 } from "../util/uuid-v7.ts";
import { requireAccounts } from "./admission.ts";
import { checkHistoryQuery, readHistory } from "./history.ts";
import type { ConversationPolicy } from "./policy.ts";
import type { MessagingHooks } from "./hooks.ts";
import type { HistoryQuery, MessagingService } from "./service.ts";
import { sendCustomNotification } from "./custom-notify.ts";
import { syncFor, type LocatedConversation } from "./sync.ts";
import { ATTACH_MAX, checkAccid, checkMessageInput } from "./validate.ts";
import { userTeamsAddress } from "../contracts/user-teams.ts";
import { teamAddress } from "../contracts/team.ts";

export interface MessagingDeps {
  system: ActorSystem;
  /** Where custom notifications are published (they take no actor's turn). */
  bus: Bus;
  apps: AppRegistry;
  /** Reads (history, sync) go to the journal directly: it is the truth, and reads need no turn of an actor. */
  journal: Journal;
  /** One policy per kind of conversation served (policies.ts). */
  policies: readonly ConversationPolicy[];
  /** The app server's callbacks and data sync (src/hooks/), when the node has them. */
  hooks?: MessagingHooks;
}

/** A message the app server's callback changed, checked again as any input is (414 naming what it broke). */
function rechecked(i: MessageInput & { clientMsgId: string }): MessageInput & { clientMsgId: string } {
  return { ...checkMessageInput(i), clientMsgId: i.clientMsgId };
}

/** An app server may recall with ignoreTime up to this old (NIM: 30 days). */
const IGNORE_TIME_MAX_MS = 30 * DAY_MS;

function positiveInt(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) refuse(field, "must be a positive integer");
  return v;
}

/**
 * The messaging service both edges call, for every kind of conversation. It checks what the edge
 * could not (input shape, accounts, windows), applies the conversation kind's policy (who takes
 * part, who may send, which actor), and hands each change to the conversation's actor, which
 * numbers, stores and publishes; reads go to the journal. Every refusal is a NimbusError with
 * NIM's code.
 */
export class Messaging implements MessagingService {
  private readonly policies: ReadonlyMap<ConversationKind, ConversationPolicy>;

  constructor(private readonly deps: MessagingDeps) {
    this.policies = new Map(deps.policies.map((p) => [p.kind, p]));
  }

  private app(appKey: string): App {
    const app = this.deps.apps.get(appKey);
    if (!app) throw new NimbusError("NOT_FOUND", `no app ${appKey}`);
    return app;
  }

  /** The policy of `conv`'s kind; 414 naming `field` for a kind this node does not serve yet. */
  private policy(conv: ConversationRef, field: string): ConversationPolicy {
    const policy = this.policies.get(conv.kind);
    if (!policy) refuse(field, `${conv.kind} conversations are not served`);
    return policy;
  }

  private ask<M extends RequestOf<ConversationProtocol>>(
    actor: ActorRef<ConversationProtocol>,
    message: M,
  ): Promise<ReplyOf<ConversationProtocol, M>> {
    return this.deps.system.ask(actor, message);
  }

  /** Where a conversation named by its id is journaled, and its one-way-delete rule; undefined for kinds not served. */
  private locate(appKey: string, id: ConversationId): LocatedConversation | undefined {
    const ref = parseConversation(id);
    const policy = ref && this.policies.get(ref.kind);
    if (!ref || !policy) return undefined;
    return { journalKey: policy.journalKey(appKey, ref), hiddenFor: (flags, accid, from) => policy.hiddenFor(flags, ref, accid, from) };
  }

  async send(appKey: string, target: ConversationRef, raw: MessageInput): Promise<SendAck> {
    const app = this.app(appKey);
    const input = checkMessageInput(raw);
    const policy = this.policy(target, "to");
    const conv = policy.requireParty(target, input.from, "to", "must not be the sender");
    const admitting = policy.admitSend(appKey, input.from, conv);
    if (admitting) await admitting;
    // `input` is checkMessageInput's own new object: completed in place rather than copied.
    // Time-ordered, as the SDK's: the store's resend index then grows at its end (src/client/client-msg-id.ts).
    input.clientMsgId ??= uuidV7();
    const actor = policy.actor(appKey, conv);
    const retainDays = policy.retainDays(app);
    const send = (i: MessageInput & { clientMsgId: string }, sync: string | undefined) =>
      this.ask(actor, { t: "send", input: i === input ? i : rechecked(i), retainDays, ...(sync !== undefined && { sync }) });
    const hooks = this.deps.hooks;
    const checked = input as MessageInput & { clientMsgId: string };
    return hooks ? hooks.send({ appKey, conv, journalKey: policy.journalKey(appKey, conv) }, checked, send) : send(checked, undefined);
  }

  async recall(appKey: string, target: ConversationRef, req: Parameters<MessagingService["recall"]>[2]): Promise<RecallEvent> {
    const app = this.app(appKey);
    const from = checkAccid(req.from, "from");
    const policy = this.policy(target, "to");
    const conv = policy.requireParty(target, from, "to", "must not be the sender");
    const msgid = positiveInt(req.msgid, "msgid");
    const by = req.by === null ? null : checkAccid(req.by, "by");
    // A device may recall only what it sent; the app server may recall any message.
    if (by !== null && by !== from) throw new NimbusError("FORBIDDEN", "only the sender may recall a message");
    const windowMs = app.limits.recallWindowSeconds * 1000;
    const maxAgeMs = by === null && req.ignoreTime === true ? IGNORE_TIME_MAX_MS : windowMs;
    const recall = () => this.ask(policy.actor(appKey, conv), { t: "recall", by, ...(by === null && { from }), msgid, maxAgeMs });
    const hooks = this.deps.hooks;
    return hooks
      ? hooks.recall(
          { appKey, conv, journalKey: policy.journalKey(appKey, conv) },
          { by, from, msgid, ...(req.fromClientType !== undefined && { fromClientType: req.fromClientType }) },
          recall,
        )
      : recall();
  }

  async deleteMessage(
    appKey: string,
    target: ConversationRef,
    req: Parameters<MessagingService["deleteMessage"]>[2],
  ): Promise<DeleteEvent> {
    this.app(appKey);
    const from = checkAccid(req.from, "from");
    const policy = this.policy(target, "to");
    const conv = policy.requireParty(target, from, "to", "must not be the sender");
    const msgid = positiveInt(req.msgid, "msgid");
    return this.ask(policy.actor(appKey, conv), { t: "delete", from, msgid });
  }

  async removeConversation(appKey: string, accid: string, target: ConversationRef): Promise<boolean> {
    this.app(appKey);
    const who = checkAccid(accid, "accid");
    const policy = this.policy(target, "to");
    const conv = policy.requireParty(target, who, "to", "must not be the account itself");
    if (policy.removeFrom) return policy.removeFrom(appKey, who, conv);
    const m: InboxMessage = { t: "remove", conv: conv.id };
    return (await this.deps.system.ask(inboxAddress(appKey, who), m)) as boolean;
  }

  async deleteOneWay(appKey: string, target: ConversationRef, req: Parameters<MessagingService["deleteOneWay"]>[2]): Promise<void> {
    this.app(appKey);
    const accid = checkAccid(req.accid, "accid");
    const policy = this.policy(target, "peer");
    const conv = policy.requireParty(target, accid, "peer", "must not be the account itself");
    const msgid = positiveInt(req.msgid, "msgid");
    await this.ask(policy.actor(appKey, conv), { t: "deleteOneWay", accid, msgid });
  }

  async markRead(appKey: string, target: ConversationRef, req: Parameters<MessagingService["markRead"]>[2]): Promise<ReadReceipt> {
    this.app(appKey);
    const reader = checkAccid(req.reader, "reader");
    const policy = this.policy(target, "peer");
    const conv = policy.requireParty(target, reader, "peer", "must not be the reader");
    if (typeof req.seq !== "number" || !Number.isSafeInteger(req.seq) || req.seq < 0) refuse("seq", "must be a non-negative integer");
    const markRead = () => this.ask(policy.actor(appKey, conv), { t: "markRead", reader, seq: req.seq });
    const hooks = this.deps.hooks;
    return hooks ? hooks.markRead({ appKey, conv, journalKey: policy.journalKey(appKey, conv) }, reader, markRead) : markRead();
  }

  async lookup(appKey: string, target: ConversationRef, req: Parameters<MessagingService["lookup"]>[2]): Promise<MessageRef | null> {
    this.app(appKey);
    const from = checkAccid(req.from, "from");
    const policy = this.policy(target, "to");
    const conv = policy.requireParty(target, from, "to", "must not be the sender");
    return this.ask(policy.actor(appKey, conv), { t: "lookup", clientMsgId: req.clientMsgId });
  }

  async history(appKey: string, query: HistoryQuery) {
    const app = this.app(appKey);
    const q = checkHistoryQuery(query);
    const policy = this.policy(q.conv, "peer");
    const conv = policy.requireParty(q.conv, q.accid, "peer", "must not be the account itself");
    if (policy.admitRead && query.checkMember !== false) await policy.admitRead(appKey, q.accid, conv);
    return readHistory(this.deps.journal, app, { ...q, conv }, policy);
  }

  async conversations(appKey: string, accid: string, opts: { limit?: number; updatedSince?: number } = {}): Promise<ConversationSummary[]> {
    this.app(appKey);
    const who = checkAccid(accid, "accid");
    if (opts.limit !== undefined && (!Number.isSafeInteger(opts.limit) || opts.limit < 1)) refuse("limit", "must be a positive integer");
    if (opts.updatedSince !== undefined && !Number.isFinite(opts.updatedSince)) refuse("updatedSince", "must be a time in ms");
    return this.list(appKey, who, opts);
  }

  /**
   * The inbox's list (p2p) merged with the kinds that keep none (teams), most recently updated
   * first, with the same `limit`, `updatedSince` and `all` rules.
   */
  private async list(
    appKey: string,
    accid: string,
    opts: { limit?: number; updatedSince?: number; all?: boolean },
  ): Promise<ConversationSummary[]> {
    const m: InboxMessage = { t: "list", ...opts };
    const listers = this.deps.policies.filter((p) => p.listFor);
    const inbox = this.deps.system.ask(inboxAddress(appKey, accid), m);
    if (listers.length === 0) return inbox;
    const [own, ...others] = await Promise.all([inbox, ...listers.map((p) => p.listFor!(appKey, accid))]);
    const since = opts.updatedSince ?? 0;
    const extra = others.flat().filter((c) => (c.lastMessage === undefined ? opts.all === true : c.updatedAt >= since));
    if (extra.length === 0) return own;
    const merged = [...own, ...extra].sort((a, b) => b.updatedAt - a.updatedAt);
    return opts.limit !== undefined ? merged.slice(0, opts.limit) : merged;
  }

  async sync(appKey: string, accid: string, req: Parameters<MessagingService["sync"]>[2]) {
    const app = this.app(appKey);
    const who = checkAccid(accid, "accid");
    return syncFor(
      {
        journal: this.deps.journal,
        app,
        accid: who,
        now: Date.now(),
        list: (opts) => this.list(appKey, who, opts),
        locate: (conv) => this.locate(appKey, conv),
        // Teams are served: their stored custom notifications come with the sync.
        ...(this.policies.has("team") && {
          teams: async () => (await this.deps.system.ask(userTeamsAddress(appKey, who), { t: "list" })).tids,
          joinedAfter: async (tid: string) =>
            (await this.deps.system.ask(teamAddress(appKey, tid), { t: "position", accid: who }))?.joinedAfterSeq ?? null,
        }),
      },
      req,
    );
  }

  async customNotify(appKey: string, req: Parameters<MessagingService["customNotify"]>[1]): Promise<SystemNotification> {
    this.app(appKey);
    return sendCustomNotification(this.deps, appKey, req);
  }

  async notify(appKey: string, req: Parameters<MessagingService["notify"]>[1]): Promise<SystemNotification> {
    const app = this.app(appKey);
    const from = checkAccid(req.from, "from");
    const to = checkAccid(req.to, "to");
    if (typeof req.attach !== "string" || req.attach.length === 0) refuse("attach", "required");
    if (longerThan(req.attach, ATTACH_MAX)) refuse("attach", tooLongProblem(ATTACH_MAX));
    if (typeof req.save !== "boolean") refuse("save", "must be true or false");
    await requireAccounts(this.deps.system, appKey, [
      { field: "from", accid: from },
      { field: "to", accid: to },
    ]);
    const m: NoticesMessage = { t: "notify", from, attach: req.attach, save: req.save, retainDays: app.limits.offlineDays };
    return this.deps.system.ask(noticesAddress(appKey, to), m);
  }
}
