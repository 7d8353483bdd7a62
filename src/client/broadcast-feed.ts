import type { Broadcast } from "../protocol/broadcasts.ts";

/**
 * App-wide broadcasts on their way to the app. Every broadcast has a seq (1, 2, 3… per app); a
 * stored one can come as a push and again after a login, so they are deduplicated against a
 * cursor, and held while a sync is due, like notifications.
 */
export class BroadcastFeed {
  private held: Broadcast[] = [];
  private paused = true;

  constructor(
    private readonly emit: (b: Broadcast) => void,
    private cursor = 0,
  ) {}

  get broadcastCursor(): number {
    return this.cursor;
  }

  pause(): void {
    this.paused = true;
  }

  offer(b: Broadcast): void {
    if (this.paused) this.held.push(b);
    else this.accept(b);
  }

  /** The stored broadcasts the server answered after a login (oldest first). */
  applySync(list: readonly Broadcast[]): void {
    for (const b of [...list].sort((x, y) => x.seq - y.seq)) this.accept(b);
  }

  resume(): void {
    this.paused = false;
    const held = this.held.sort((x, y) => x.seq - y.seq);
    this.held = [];
    for (const b of held) this.accept(b);
  }

  private accept(b: Broadcast): void {
    if (b.seq <= this.cursor) return;
    this.cursor = b.seq;
    this.emit(b);
  }
}
