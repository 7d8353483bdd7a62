import type { PackedSuperTeamMember } from "../../src/contracts/superteam.ts";
import type { MemberList } from "./member-list.ts";

/**
 * A super team's members by join time (then accid), kept once every bucket is loaded: a page of
 * `getTlists` is a binary search and a walk, not a read of 64 buckets and a sort of 10,000. Joins
 * take ever later times (SuperTeamActor.newMember), so adding is almost always an append.
 */
export class JoinOrder {
  private constructor(
    private readonly accids: string[],
    private readonly times: number[],
  ) {}

  static of(buckets: readonly MemberList[]): JoinOrder {
    const all: PackedSuperTeamMember[] = [];
    for (const b of buckets) for (const x of b.values()) all.push(x);
    all.sort((a, b) => a.createtime - b.createtime || (a.accid < b.accid ? -1 : a.accid > b.accid ? 1 : 0));
    return new JoinOrder(
      all.map((x) => x.accid),
      all.map((x) => x.createtime),
    );
  }

  add(accid: string, time: number): void {
    const at = this.firstAfter(time, accid);
    this.accids.splice(at, 0, accid);
    this.times.splice(at, 0, time);
  }

  remove(accid: string, time: number): void {
    for (let i = this.firstAtOrAfter(time); i < this.times.length && this.times[i] === time; i++) {
      if (this.accids[i] !== accid) continue;
      this.accids.splice(i, 1);
      this.times.splice(i, 1);
      return;
    }
  }

  /** Accids ascending from after `timetag`, or descending from before it; timetag 0: from the start or the end. */
  *walk(timetag: number, ascending: boolean): Generator<string> {
    if (ascending) {
      for (let i = timetag === 0 ? 0 : this.firstAtOrAfter(timetag + 1); i < this.accids.length; i++) yield this.accids[i]!;
    } else {
      for (let i = (timetag === 0 ? this.accids.length : this.firstAtOrAfter(timetag)) - 1; i >= 0; i--) yield this.accids[i]!;
    }
  }

  /** The first index whose time is ≥ `time`. */
  private firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where (time, accid) goes: after every entry that sorts before it. */
  private firstAfter(time: number, accid: string): number {
    let i = this.firstAtOrAfter(time);
    while (i < this.times.length && this.times[i] === time && this.accids[i]! < accid) i++;
    return i;
  }
}
