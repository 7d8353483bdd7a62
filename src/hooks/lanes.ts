/**
 * Serial lanes by key: `enter(key)` resolves once every earlier holder of the key has left, and
 * answers the function that leaves. Used so a sender's messages in one conversation reach the
 * conversation's actor in the order they were sent even though each waits for its own callback;
 * other keys never wait. A lane is forgotten once empty.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();

  async enter(key: string): Promise<() => void> {
    const before = this.tails.get(key);
    let leave!: () => void;
    const mine = new Promise<void>((resolve) => (leave = resolve));
    const tail = before ? before.then(() => mine) : mine;
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    if (before) await before;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      leave();
    };
  }
}
