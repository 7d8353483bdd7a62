import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import type { SignalEvent } from "../../src/protocol/signal.ts";
import type { SignalBoxMessage } from "../../src/contracts/signal.ts";

/** Stored invitations one account keeps at most; the oldest go first. */
const BOX_MAX = 100;

export interface SignalBoxState {
  invites: { event: SignalEvent; expireAt: number }[];
}

/**
 * Invitations stored for one account (`signalbox/<appKey>/<accid>`, NIM's isSave), so a device
 * that logs in while one is open gets it. The room tells it when one is answered, cancelled or
 * the room closed; an expired one is dropped when read.
 */
export class SignalBoxActor extends Actor<SignalBoxState> {
  initialState(): SignalBoxState {
    return { invites: [] };
  }

  async receive(message: unknown): Promise<SignalEvent[] | null> {
    const m = message as SignalBoxMessage;
    const now = Date.now();
    const open = this.state.invites.filter((i) => i.expireAt > now);
    switch (m.t) {
      case "add":
        this.state = { invites: [...open, { event: m.event, expireAt: m.expireAt }].slice(-BOX_MAX) };
        await this.ctx.persist();
        return null;
      case "remove":
        this.state = { invites: open.filter((i) => !(i.event.channelId === m.channelId && i.event.requestId === m.requestId)) };
        await this.ctx.persist();
        return null;
      case "list":
        return open.map((i) => i.event);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown signalbox message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }
}
