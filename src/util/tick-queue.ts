/**
 * Collects items during one turn of the event loop and hands them over together (on
 * setImmediate). Between threads each message wakes the other side — a syscall, and on a busy
 * machine a context switch — so many small messages cost far more than one message of many.
 */
export class TickQueue<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      this.flush(items);
    });
  }
}
