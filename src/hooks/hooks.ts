import type { Logger } from "pino";
import type { AppRegistry } from "../apps/registry.ts";
import { isP2p, peerIn } from "../conversation/ref.ts";
import type { HookedConversation, MessagingHooks } from "../messaging/hooks.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { MessageInput, ReadReceipt, RecallEvent, SendAck } from "../protocol/messages.ts";
import type { CallbackClient, CallbackVerdict } from "./callbacks.ts";
import {
  CallbackEvent,
  deviceSyncBody,
  messageCallbackBody,
  messageCallbackEvent,
  recallSyncEvent,
  SyncEvent,
  type DeviceFacts,
} from "./events.ts";
import { Lanes } from "./lanes.ts";
import { applyModification } from "./modify.ts";
import type { SyncQueue } from "./queue.ts";
import { MessageFlags, type Journal } from "../store/port.ts";

type Input = MessageInput & { clientMsgId: string };

/** Receipt positions remembered to leave out repeats: a few MB at most. */
const TOLD_RECEIPTS = 20_000;

/** The other side of a conversation as NIM's `to` names it: the peer of a p2p one, the id of any other. */
function toOf(at: HookedConversation, from: string): string {
  return isP2p(at.conv) ? (peerIn(at.conv, from) ?? at.conv.id) : at.conv.id;
}

export function refusal(v: Extract<CallbackVerdict, { allow: false }>): NimbusError {
  // callbackExt goes back to the refused sender in the desc, the only text a refusal carries.
  return NimbusError.fromWire(v.code, v.callbackExt === undefined ? v.desc : `${v.desc}: ${v.callbackExt}`);
}

/**
 * The app server's hooks for one node: the messaging service's MessagingHooks (callbacks before
 * a client's send and recall, data sync of messages, recalls and receipts) and the gateway's
 * login callback and login / logout data sync.
 */
export class AppHooks implements MessagingHooks {
  private readonly lanes = new Lanes();
  /** The last receipt position synced, per conversation and reader (bounded: TOLD_RECEIPTS). */
  private readonly toldReceipts = new Map<string, number>();

  constructor(
    private readonly apps: AppRegistry,
    private readonly queue: SyncQueue,
    private readonly callbacks: CallbackClient,
    private readonly journal: Journal,
    private readonly log: Logger,
  ) {}

  async send(
    at: HookedConversation,
    input: Input,
    send: (input: Input, syncTopic: string | undefined) => Promise<SendAck>,
  ): Promise<SendAck> {
    const sync =
      input.option?.route !== false && this.queue.wants(at.appKey, SyncEvent.MESSAGE)
        ? this.queue.topic(at.appKey, at.journalKey)
        : undefined;
    const eventType = messageCallbackEvent(at.conv.kind);
    // Only a device's send is called back (NIM: never the server API's).
    const called = input.fromDeviceId !== undefined && eventType !== undefined && this.callbacks.applies(at.appKey, eventType);
    let ack: SendAck;
    let callbackExt: string | undefined;
    if (!called) {
      ack = await send(input, sync);
    } else {
      // The sender's messages of this conversation reach its actor in order; nothing else waits.
      const leave = await this.lanes.enter(`${at.appKey}\u0000${at.journalKey}\u0000${input.from}`);
      let sent: Promise<SendAck>;
      try {
        const body = messageCallbackBody(eventType, at.conv.kind, toOf(at, input.from), input, Date.now());
        let verdict = await this.callbacks.call(at.appKey, body, at.journalKey);
        let final = input;
        if (verdict.allow && verdict.modify) {
          try {
            final = applyModification(input, verdict.modify);
          } catch (err) {
            // A modification of the wrong shape is a bad answer: reported, and the failure policy decides.
            verdict = this.callbacks.failed(at.appKey, body, at.journalKey, 2, (err as Error).message);
          }
        }
        if (!verdict.allow) throw refusal(verdict);
        callbackExt = verdict.callbackExt;
        sent = send(final, sync);
      } finally {
        leave();
      }
      ack = await sent;
    }
    if (sync !== undefined && !ack.duplicate) this.queue.queued(sync);
    return callbackExt === undefined ? ack : { ...ack, callbackExt };
  }

  async recall(
    at: HookedConversation,
    req: { by: string | null; from: string; msgid: number; fromClientType?: string },
    recall: () => Promise<RecallEvent>,
  ): Promise<RecallEvent> {
    if (req.by !== null && this.callbacks.applies(at.appKey, CallbackEvent.RECALL)) {
      const body = {
        eventType: String(CallbackEvent.RECALL),
        fromAccount: req.by,
        to: toOf(at, req.by),
        msgidServer: String(req.msgid),
        timestamp: String(Date.now()),
      };
      const verdict = await this.callbacks.call(at.appKey, body, at.journalKey);
      if (!verdict.allow) throw refusal(verdict);
    }
    if (!this.queue.wants(at.appKey, recallSyncEvent(at.conv.kind))) return recall();
    // Recalling again answers the same event and changes nothing: it was told the first time.
    const before = await this.journal.getByMsgid(req.msgid);
    if (before && before.conversation === at.journalKey && (before.flags & MessageFlags.RECALLED) !== 0) return recall();
    // Queued ahead of the recall, and told only once the journal shows it (deliverer.ts): a recall
    // that is stored is never missing from data sync.
    const id = await this.queue.enqueue(at.appKey, at.journalKey, {
      k: "recall",
      j: at.journalKey,
      msgid: req.msgid,
      by: req.by ?? "",
      ...(req.fromClientType !== undefined && { ct: req.fromClientType }),
      t: Date.now(),
    });
    try {
      return await recall();
    } catch (err) {
      await this.withdraw(id);
      throw err;
    }
  }

  private async withdraw(id: string): Promise<void> {
    await this.queue.cancel(id).catch((err: unknown) => this.log.warn({ err }, "could not withdraw a recall's data sync"));
  }

  async markRead(at: HookedConversation, reader: string, markRead: () => Promise<ReadReceipt>): Promise<ReadReceipt> {
    const receipt = await markRead();
    if (isP2p(at.conv) && receipt.seq > 0 && this.queue.wants(at.appKey, SyncEvent.P2P_RECEIPT)) {
      // A receipt that moved nothing (the same position again) is told once, as far as this node remembers.
      const key = `${at.appKey}\u0000${at.journalKey}\u0000${reader}`;
      if ((this.toldReceipts.get(key) ?? 0) >= receipt.seq) return receipt;
      const peer = peerIn(at.conv, reader) ?? "";
      await this.queue.enqueue(at.appKey, at.journalKey, {
        k: "receipt",
        j: at.journalKey,
        reader,
        peer,
        seq: receipt.seq,
        t: receipt.time,
      });
      this.toldReceipts.delete(key); // re-inserted last: the Map's order is then least recently told first
      this.toldReceipts.set(key, receipt.seq);
      if (this.toldReceipts.size > TOLD_RECEIPTS) this.toldReceipts.delete(this.toldReceipts.keys().next().value!);
    }
    return receipt;
  }

  /** NIM's login callback (36), for a device whose token checked out: a refusal (or a failure under deny) is 302. */
  async admitLogin(login: { appKey: string; accid: string; clientType: string; deviceId: string; ip: string }): Promise<void> {
    if (!this.callbacks.applies(login.appKey, CallbackEvent.LOGIN)) return;
    const body = {
      eventType: String(CallbackEvent.LOGIN),
      fromAccount: login.accid,
      fromClientType: login.clientType,
      fromDeviceId: login.deviceId,
      fromClientIp: login.ip,
      timestamp: String(Date.now()),
    };
    const verdict = await this.callbacks.call(login.appKey, body, `user/${login.appKey}/${login.accid}`);
    if (!verdict.allow)
      throw new NimbusError("LOGIN_FAILED", verdict.callbackExt === undefined ? verdict.desc : `${verdict.desc}: ${verdict.callbackExt}`);
  }

  /** Data sync 2. */
  async deviceOnline(appKey: string, d: DeviceFacts, time: number): Promise<void> {
    if (!this.queue.wants(appKey, SyncEvent.LOGIN)) return;
    await this.queue.enqueue(appKey, `user/${appKey}/${d.accid}`, {
      k: "raw",
      body: deviceSyncBody(d, time),
      p: `user/${appKey}/${d.accid}`,
    });
  }

  /** Data sync 3, with NIM's logOutReason (1 logout, 2 disconnect, 3 / 4 kicked). */
  async deviceOffline(appKey: string, d: DeviceFacts, logOutReason: number, time: number): Promise<void> {
    if (!this.queue.wants(appKey, SyncEvent.LOGOUT)) return;
    await this.queue.enqueue(appKey, `user/${appKey}/${d.accid}`, {
      k: "raw",
      body: deviceSyncBody(d, time, logOutReason),
      p: `user/${appKey}/${d.accid}`,
    });
  }

  /** Whether any app has hooks at all: a node without does not start the deliverer. */
  anyConfigured(): boolean {
    return this.apps.all().some((a) => a.hooks.callback.url !== undefined || a.hooks.dataSync.url !== undefined);
  }
}
