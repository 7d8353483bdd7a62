import type { PackedSuperTeamMember } from "../../src/contracts/superteam.ts";

/**
 * One loaded bucket's members in the super team actor, sorted by accid: found by binary search.
 * A Map per bucket cost about 45 bytes a member in hash tables (64 of them, each with room to
 * grow); this costs one pointer. A bucket holds about 160 members, so an insert's shift is cheap.
 */
export class MemberList {
  private constructor(private readonly list: PackedSuperTeamMember[]) {}

  static of(members: readonly PackedSuperTeamMember[]): MemberList {
    return new MemberList([...members].sort((a, b) => (a.accid < b.accid ? -1 : a.accid > b.accid ? 1 : 0)));
  }

  get(accid: string): PackedSuperTeamMember | undefined {
    const i = this.find(accid);
    return i < this.list.length && this.list[i]!.accid === accid ? this.list[i] : undefined;
  }

  has(accid: string): boolean {
    return this.get(accid) !== undefined;
  }

  /** Adds or replaces the member with this accid. */
  set(member: PackedSuperTeamMember): void {
    const i = this.find(member.accid);
    if (i < this.list.length && this.list[i]!.accid === member.accid) this.list[i] = member;
    else this.list.splice(i, 0, member);
  }

  delete(accid: string): boolean {
    const i = this.find(accid);
    if (i >= this.list.length || this.list[i]!.accid !== accid) return false;
    this.list.splice(i, 1);
    return true;
  }

  values(): readonly PackedSuperTeamMember[] {
    return this.list;
  }

  /** The first index whose accid is ≥ `accid`. */
  private find(accid: string): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.accid < accid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
