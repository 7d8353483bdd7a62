import type { ActorContext } from "../../src/runtime/mod.ts";
import type { JournalEntry } from "../../src/store/port.ts";
import type { LoginEventRecord } from "../../src/contracts/user.ts";
import type { LoginEvent } from "./devices.ts";

const DAY_MS = 86_400_000;

/** How long login events are kept when the gateway does not say (a free app's history, 7 days). */
export const DEFAULT_LOGIN_LOG_DAYS = 7;

/**
 * The durable login event log of one account (`history/queryUserEvents`, data sync eventTypes 2
 * and 3). It reuses the journal rather than adding a store table: each event is one entry of the
 * account's own log `logins/<appKey>/<accid>`, so both adapters keep it with the journal's
 * guarantees (unique `(log, seq)` fences a second activation; `(log, clientMsgId)` makes a retried
 * append a duplicate, not a second event), time-ranged reads, and retention by `expireAt`.
 * Only the user actor writes it, in its own turns, so seqs and times grow together as
 * `rangeByTime` requires.
 */
export class LoginLog {
  private lastSeq: number | undefined;
  private lastTime = 0;

  constructor(private readonly ctx: ActorContext) {}

  get conversation(): string {
    return `logins/${this.ctx.appKey}/${this.ctx.id}`;
  }

  /** Appends the events in order; durable when it resolves. */
  async append(events: readonly LoginEvent[], retainDays: number): Promise<void> {
    if (events.length === 0) return;
    await this.loadTail();
    const entries: JournalEntry[] = [];
    for (const e of events) {
      // Never earlier than the last entry: a time window is a seq range only if times do not go back.
      const time = Math.max(e.at, this.lastTime);
      const msgid = await this.ctx.nextId("msgid");
      const seq = this.lastSeq! + entries.length + 1;
      entries.push({
        conversation: this.conversation,
        seq,
        msgid,
        // One login and one logout per session: a retried append is answered as a duplicate.
        clientMsgId: `${e.sessionId}/${e.event}`,
        from: this.ctx.id,
        time,
        type: e.event === "login" ? 2 : 3,
        flags: 0,
        expireAt: time + retainDays * DAY_MS,
        payload: payloadOf(e),
      });
      this.lastTime = time;
    }
    try {
      const outcomes = await this.ctx.journal.append(entries);
      // A duplicate (a retried turn) took no seq: then read the tail again rather than guess.
      this.lastSeq = outcomes.every((o) => o.status === "appended") ? this.lastSeq! + entries.length : undefined;
    } catch (err) {
      this.lastSeq = undefined; // fenced or failed: read the tail again next time
      throw err;
    }
  }

  async read(q: { fromTime: number; toTime: number; limit: number; order: "asc" | "desc" }): Promise<LoginEventRecord[]> {
    const entries = await this.ctx.journal.rangeByTime({ conversation: this.conversation, ...q });
    const out: LoginEventRecord[] = [];
    for (const e of entries) if (!e.unreadable) out.push(recordOf(e));
    return out;
  }

  private async loadTail(): Promise<void> {
    if (this.lastSeq !== undefined) return;
    const [last] = await this.ctx.journal.rangeBySeq({ conversation: this.conversation, order: "desc", limit: 1 });
    this.lastSeq = last?.seq ?? 0;
    this.lastTime = Math.max(this.lastTime, last?.time ?? 0);
  }
}

function payloadOf(e: LoginEvent): Record<string, unknown> {
  return {
    sessionId: e.sessionId,
    deviceId: e.deviceId,
    clientType: e.clientType,
    ip: e.ip,
    ...(e.sdkVersion !== undefined && { sdkVersion: e.sdkVersion }),
    ...(e.customTag !== undefined && { customTag: e.customTag }),
    ...(e.reason !== undefined && { reason: e.reason }),
  };
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function recordOf(e: JournalEntry): LoginEventRecord {
  const p = e.payload;
  return {
    eventType: e.type === 2 ? 2 : 3,
    time: e.time,
    sessionId: str(p.sessionId),
    deviceId: str(p.deviceId),
    clientType: str(p.clientType),
    ip: str(p.ip),
    ...(typeof p.sdkVersion === "string" && { sdkVersion: p.sdkVersion }),
    ...(typeof p.customTag === "string" && { customTag: p.customTag }),
    ...(typeof p.reason === "number" && { reason: p.reason }),
  };
}
