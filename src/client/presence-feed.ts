import { PRESENCE_EVENT, type PresenceChange } from "../protocol/presence-events.ts";

/**
 * Online-state events of the publishers this account subscribes to, on their way to the app. A
 * change reaches a device as a push and the state again in syncs (after subscribing, after each
 * login), so each publisher's events pass only when their seq is newer than the last one passed:
 * every change once, in order, and a sync only when it says something new.
 */
export class PresenceFeed {
  private readonly last = new Map<string, number>();
  /**
   * Pushes held until the app could listen: the login sync is pushed right after the welcome, and
   * may arrive in the same read, before `await connect()` has given the app the client.
   */
  private held: [string, unknown][] | undefined = [];

  constructor(private readonly emit: (change: PresenceChange) => void) {}

  /** From now on pushes pass at once; those held meanwhile pass first, in order. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [type, body] of held) this.offer(type, body);
  }

  /** A push from the server; anything but a well-formed `presence` push is ignored. */
  offer(type: string, body: unknown): void {
    if (this.held) {
      if (type === PRESENCE_EVENT) this.held.push([type, body]);
      return;
    }
    if (type !== PRESENCE_EVENT || typeof body !== "object" || body === null) return;
    const events = (body as { events?: unknown }).events;
    if (!Array.isArray(events)) return;
    for (const e of events as PresenceChange[]) {
      if (typeof e?.accid !== "string" || typeof e.seq !== "number") continue;
      if (e.seq <= (this.last.get(e.accid) ?? -1)) continue;
      this.last.set(e.accid, e.seq);
      this.emit(e);
    }
  }
}
