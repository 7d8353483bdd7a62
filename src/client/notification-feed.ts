import type { SystemNotification } from "../protocol/messages.ts";

/**
 * System notifications on their way to the app. Stored ones (`stored: true`, seq 1, 2, 3… per
 * recipient) reach a device as pushes and again in the login sync, so they are deduplicated by
 * seq against a cursor, and held while a sync is due, like messages. Online-only ones (custom
 * notifications such as typing; `stored: false`) are never repeated and pass straight through.
 * There is no gap filling: the server keeps no history of notifications to fill from.
 */
export class NotificationFeed {
  private held: SystemNotification[] = [];
  private paused = true;

  constructor(
    private readonly emit: (n: SystemNotification) => void,
    private cursor = 0,
  ) {}

  get notificationCursor(): number {
    return this.cursor;
  }

  pause(): void {
    this.paused = true;
  }

  offer(n: SystemNotification): void {
    if (!n.stored) this.emit(n);
    else if (this.paused) this.held.push(n);
    else this.accept(n);
  }

  /** The sync's stored notifications (oldest first). */
  applySync(list: SystemNotification[]): void {
    for (const n of [...list].sort((a, b) => a.seq - b.seq)) this.accept(n);
  }

  resume(): void {
    this.paused = false;
    const held = this.held.sort((a, b) => a.seq - b.seq);
    this.held = [];
    for (const n of held) this.accept(n);
  }

  private accept(n: SystemNotification): void {
    if (n.seq <= this.cursor) return;
    this.cursor = n.seq;
    this.emit(n);
  }
}
