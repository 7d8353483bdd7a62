import { CUSTOM_EVENT, PRESENCE_EVENT, type CustomEventChange, type PresenceChange } from "../protocol/presence-events.ts";

/**
 * Online-state events and custom events of the publishers this account subscribes to, on their
 * way to the app. A change reaches a device as a push and again in syncs (after subscribing, after
 * each login), so each publisher's events of each type pass only when their seq is newer than the
 * last one passed: every change once, in order, and a sync only when it says something new.
 */
export class PresenceFeed {
  /** The last seq passed, per publisher and eventType. */
  private readonly last = new Map<string, number>();
  /**
   * Pushes held until the app could listen: the login sync is pushed right after the welcome, and
   * may arrive in the same read, before `await connect()` has given the app the client.
   */
  private held: [string, unknown][] | undefined = [];

  constructor(
    private readonly emit: (change: PresenceChange) => void,
    private readonly emitCustom: (event: CustomEventChange) => void = () => undefined,
  ) {}

  /** From now on pushes pass at once; those held meanwhile pass first, in order. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [type, body] of held) this.offer(type, body);
  }

  /** A push from the server; anything but a well-formed `presence` or `customEvent` push is ignored. */
  offer(type: string, body: unknown): void {
    if (type !== PRESENCE_EVENT && type !== CUSTOM_EVENT) return;
    if (this.held) {
      this.held.push([type, body]);
      return;
    }
    if (typeof body !== "object" || body === null) return;
    const events = (body as { events?: unknown }).events;
    if (!Array.isArray(events)) return;
    for (const e of events as (PresenceChange | CustomEventChange)[]) {
      if (typeof e?.accid !== "string" || typeof e.seq !== "number" || typeof e.eventType !== "number") continue;
      const key = `${e.eventType} ${e.accid}`;
      if (e.seq <= (this.last.get(key) ?? -1)) continue;
      this.last.set(key, e.seq);
      if (type === PRESENCE_EVENT) this.emit(e as PresenceChange);
      else this.emitCustom(e as CustomEventChange);
    }
  }
}
