import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import type { StoredSuperTeamMember, SuperTeamBucketMessage } from "../../src/contracts/superteam.ts";

export interface SuperTeamBucketState {
  /** A list, not a map keyed by accid (an accid may be `__proto__`). */
  members: StoredSuperTeamMember[];
}

/** One bucket of a super team's members: see SuperTeamBucketProtocol in src/contracts/superteam.ts. */
export class SuperTeamBucketActor extends Actor<SuperTeamBucketState> {
  initialState(): SuperTeamBucketState {
    return { members: [] };
  }

  async receive(message: unknown): Promise<unknown> {
    const m = message as SuperTeamBucketMessage;
    switch (m.t) {
      case "load":
        return this.state.members;
      case "write": {
        const byAccid = new Map(this.state.members.map((x) => [x.accid, x]));
        for (const a of m.remove) byAccid.delete(a);
        for (const x of m.put) byAccid.set(x.accid, x);
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

  private async save(members: StoredSuperTeamMember[]): Promise<void> {
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
