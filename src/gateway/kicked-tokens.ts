import type { Kicked } from "../protocol/link.ts";

/** At most this many remembered kicks; the oldest go first. */
const CAPACITY = 10_000;

/**
 * Resume tokens of sessions kicked while their device was away, for a while. Without this a
 * device that dropped and was then kicked would find its resume refused, log in afresh and be
 * back, unaware it had been kicked; with it, the resume attempt answers "kicked" and the SDK stops.
 */
export class KickedTokens {
  private readonly entries = new Map<string, { kicked: Kicked; until: number }>();

  constructor(private readonly ttlMs: number) {}

  add(token: string, kicked: Kicked): void {
    this.entries.delete(token);
    this.entries.set(token, { kicked, until: Date.now() + this.ttlMs });
    // Maps iterate in insertion order: the first entries are the oldest.
    for (const [k, v] of this.entries) {
      if (this.entries.size <= CAPACITY && v.until > Date.now()) break;
      this.entries.delete(k);
    }
  }

  get(token: string): Kicked | undefined {
    const e = this.entries.get(token);
    if (!e) return undefined;
    if (e.until <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return e.kicked;
  }
}
