import { randomUUID } from "node:crypto";
import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEvent } from "../../src/protocol/user-events.ts";
import { BROADCAST_EVENT, broadcastSubject, type Broadcast } from "../../src/protocol/broadcasts.ts";
import { DELETED } from "../../src/conversation/flags.ts";
import { BROADCAST_ENTRY_TYPE, broadcastOf, type BroadcastPayload, type BroadcastsMessage } from "../../src/contracts/broadcasts.ts";

const HOUR_MS = 3_600_000;

/**
 * An app's broadcasts (`broadcasts/<appKey>/all`, NIM msg/broadcastMsg). Each is appended to the
 * app's broadcast journal — this actor's address — with the next seq and a msgid as its
 * broadcastId, kept until it expires (`ttl`), then published once on `broadcast.<appKey>`: every
 * node holding that subject writes it to its own devices of the app (DESIGN "Delivery"), never one
 * publish per user. Stored before published, so an online device can never be pushed one that a
 * query or a later login does not find. Like the notices actor, the next seq comes from the
 * journal on activation, and a seq clash fences a stale activation.
 */
export class BroadcastsActor extends Actor<null> {
  private lastSeq = 0;

  initialState(): null {
    return null;
  }

  override async onActivate(): Promise<void> {
    const [last] = await this.ctx.journal.rangeBySeq({ conversation: this.ctx.address, order: "desc", limit: 1 });
    this.lastSeq = last?.seq ?? 0;
  }

  async receive(message: unknown): Promise<Broadcast | boolean> {
    const m = message as BroadcastsMessage;
    switch (m.t) {
      case "send":
        return this.send(m);
      case "remove":
        return this.remove(m.broadcastId);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown broadcasts message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private async send(m: Extract<BroadcastsMessage, { t: "send" }>): Promise<Broadcast> {
    const time = Date.now();
    const payload: BroadcastPayload = { body: m.body, isOffline: m.isOffline };
    if (m.targetOs !== undefined) payload.targetOs = m.targetOs;
    const entry = {
      conversation: this.ctx.address,
      seq: this.lastSeq + 1,
      msgid: await this.ctx.nextId("msgid"),
      // Broadcasts are not deduplicated (NIM's API has no client id for them).
      clientMsgId: randomUUID(),
      from: m.from ?? "",
      time,
      type: BROADCAST_ENTRY_TYPE,
      flags: 0,
      expireAt: time + m.ttlHours * HOUR_MS,
      payload: payload as unknown as Record<string, unknown>,
    };
    await this.ctx.journal.append([entry]);
    this.lastSeq = entry.seq;
    const broadcast = broadcastOf(entry);
    this.ctx.publish(broadcastSubject(this.ctx.appKey), encodeUserEvent({ ev: BROADCAST_EVENT, ...broadcast }));
    return broadcast;
  }

  private async remove(broadcastId: number): Promise<boolean> {
    const entry = await this.ctx.journal.getByMsgid(broadcastId);
    if (!entry || entry.conversation !== this.ctx.address || entry.unreadable) return false;
    if ((entry.flags & DELETED) !== 0) return true;
    return (await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, DELETED)) !== null;
  }
}
