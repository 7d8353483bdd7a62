import type { SystemNotification } from "../protocol/messages.ts";

/**
 * System notifications on their way to the app. Stored ones (`stored: true`, seq 1, 2, 3… per
 * recipient) reach a device as pushes and again in the login sync, so they are deduplicated by
 * seq against a cursor, and held while a sync is due, like messages. Online-only ones (custom
 * notifications such as typing; `stored: false`) are never repeated and pass straight through.
 * There is no gap filling: the server keeps no history of notifications to fill from. A team's
 * stored custom notifications (`tid` set) are numbered per team, so each team has its own cursor.
 */
export class NotificationFeed {
  private held: SystemNotification[] = [];
  private paused = true;

  private readonly teamCursors: Map<string, number>;

  constructor(
    private readonly emit: (n: SystemNotification) => void,
    private cursor = 0,
    teamCursors: Record<string, number> = {},
  ) {
    this.teamCursors = new Map(Object.entries(teamCursors));
  }

  get notificationCursor(): number {
    return this.cursor;
  }

  get teamNotificationCursors(): Record<string, number> {
    return Object.fromEntries(this.teamCursors);
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
    // Per recipient or per team, seqs only grow within one numbering: sorted by seq, each keeps its order.
    for (const n of [...list].sort((a, b) => a.seq - b.seq)) this.accept(n);
  }

  resume(): void {
    this.paused = false;
    const held = this.held.sort((a, b) => a.seq - b.seq);
    this.held = [];
    for (const n of held) this.accept(n);
  }

  private accept(n: SystemNotification): void {
    if (n.tid !== undefined) {
      if (n.seq <= (this.teamCursors.get(n.tid) ?? 0)) return;
      this.teamCursors.set(n.tid, n.seq);
    } else {
      if (n.seq <= this.cursor) return;
      this.cursor = n.seq;
    }
    this.emit(n);
  }
}
