import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import type { SignalNameMessage } from "../../src/contracts/signal.ts";

export interface SignalNameState {
  channelId: string | null;
  expireAt: number;
}

/**
 * One signalling room name (`signalname/<appKey>/<channelName>`): which open room holds it, so
 * getRoomInfo by channelName finds the room and createRoom refuses a name in use (10405). A holder
 * past its expiry no longer counts.
 */
export class SignalNameActor extends Actor<SignalNameState> {
  initialState(): SignalNameState {
    return { channelId: null, expireAt: 0 };
  }

  async receive(message: unknown): Promise<string | null> {
    const m = message as SignalNameMessage;
    const held = this.state.channelId !== null && this.state.expireAt > Date.now() ? this.state.channelId : null;
    switch (m.t) {
      case "claim":
        if (held !== null && held !== m.channelId) return held;
        this.state = { channelId: m.channelId, expireAt: m.expireAt };
        await this.ctx.persist();
        return m.channelId;
      case "lookup":
        return held;
      case "extend":
        if (held === m.channelId) {
          this.state = { channelId: m.channelId, expireAt: m.expireAt };
          await this.ctx.persist();
        }
        return null;
      case "release":
        if (this.state.channelId === m.channelId) {
          this.state = { channelId: null, expireAt: 0 };
          await this.ctx.persist();
        }
        return null;
      default:
        throw new NimbusError("PARAM_ERROR", `unknown signalname message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }
}
