import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import type { PackedSuperTeamMember, StoredSuperTeamMember, SuperTeamBucketMessage } from "../../src/contracts/superteam.ts";
import { interner, packMember } from "./member-record.ts";

export interface SuperTeamBucketState {
  /** A list, not a map keyed by accid (an accid may be `__proto__`). */
  members: PackedSuperTeamMember[];
}

/** One bucket of a super team's members: see SuperTeamBucketProtocol in src/contracts/superteam.ts. */
export class SuperTeamBucketActor extends Actor<SuperTeamBucketState> {
  private readonly intern = interner();

  initialState(): SuperTeamBucketState {
    return { members: [] };
  }

  override onActivate(): void {
    // Full records stored before are packed as read (and stored packed at the next write).
    const stored: readonly (PackedSuperTeamMember | StoredSuperTeamMember)[] = this.state.members;
    this.state = { members: stored.map((x) => packMember(x, this.intern)) };
  }

  async receive(message: unknown): Promise<unknown> {
    const m = message as SuperTeamBucketMessage;
    switch (m.t) {
      case "load":
        return this.state.members;
      case "write": {
        const byAccid = new Map(this.state.members.map((x) => [x.accid, x]));
        for (const a of m.remove) byAccid.delete(a);
        // Locally the super team hands over the packed records it keeps: kept as they are, one copy serves both.
        for (const x of m.put) byAccid.set(x.accid, packMember(x, this.intern));
        await this.save([...byAccid.values()]);
        return null;
      }
      case "clear":
        await this.save([]);
        return null;
      default:
        throw new NimbusError("PARAM_ERROR", `unknown super team bucket message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private async save(members: PackedSuperTeamMember[]): Promise<void> {
    const before = this.state;
    this.state = { members };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = before;
      throw err;
    }
  }
}
