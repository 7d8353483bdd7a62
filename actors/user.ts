import { Actor } from "../src/runtime/mod.ts";
import { NimbusError } from "../src/util/errors.ts";
import {
  muteModulesOf,
  muteModulesPatch,
  newAccount,
  profilePatch,
  publicRecord,
  withRecord,
  type Account,
  type UserState,
} from "./user-account.ts";
import type { MuteModules, RelationLists, TokenCheck, TokenInfo, UserMessage } from "./user-protocol.ts";
import { DEFAULT_MAX_RELATIONS, withRelation } from "./user-relations.ts";
import { generateToken, hashToken, tokenMatches } from "./user-token.ts";

/**
 * One account (`user/<appKey>/<accid>`, accid lower-case): its token, profile, bans, mutes and
 * blacklist / mute list. Handlers compute the next state as a new value and commit it in one
 * step, so a refusal or a failed save leaves the state exactly as it was.
 */
export class UserActor extends Actor<UserState> {
  initialState(): UserState {
    return { account: null };
  }

  async receive(message: unknown): Promise<unknown> {
    const m = message as UserMessage;
    switch (m.t) {
      case "create":
        return this.create(m);
      case "get":
        return this.state.account ? publicRecord(this.state.account) : null;
      case "verifyToken":
        return this.verifyToken(m.token);
      case "listRelations": {
        const a = this.existing();
        return { blacklist: [...a.blacklist], mutelist: [...a.mutelist] } satisfies RelationLists;
      }
      case "update": {
        const a = this.existing();
        // `??` also covers null: an absent optional field arrives as null after msgpack.
        const token = m.token != null ? hashToken(m.token) : a.token;
        await this.commit({ ...a, token, props: m.props ?? a.props, record: { ...a.record, updatedAt: Date.now() } });
        return null;
      }
      case "refreshToken": {
        const a = this.existing();
        const token = generateToken();
        await this.commit({ ...a, token: hashToken(token) });
        return { accid: a.record.accid, token } satisfies TokenInfo;
      }
      case "block": {
        const now = Date.now();
        const lastBlock = {
          needkick: m.needkick,
          kickNotifyExt: m.kickNotifyExt ?? "",
          needUnbindPushToken: m.needUnbindPushToken ?? false,
          at: now,
        };
        await this.commit({ ...withRecord(this.existing(), { valid: false }, now), lastBlock });
        // The realtime link hooks in here: when `needkick`, kick this account's devices with `kickNotifyExt`.
        return null;
      }
      case "unblock":
        await this.commit(withRecord(this.existing(), { valid: true }, Date.now()));
        return null;
      case "mute":
        await this.commit(withRecord(this.existing(), { mute: m.mute }, Date.now()));
        return null;
      case "muteModule": {
        const next = withRecord(this.existing(), muteModulesPatch(m), Date.now());
        await this.commit(next);
        return muteModulesOf(next.record) satisfies MuteModules;
      }
      case "setDonnop":
        await this.commit(withRecord(this.existing(), { donnop: m.donnopOpen }, Date.now()));
        return null;
      case "updateUinfo":
        await this.commit(withRecord(this.existing(), profilePatch(m.fields), Date.now()));
        return null;
      case "setSpecialRelation":
        return this.setSpecialRelation(m);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown user message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private async create(m: Extract<UserMessage, { t: "create" }>): Promise<TokenInfo> {
    const accid = this.ctx.id;
    // The handler lower-cases; a caller that did not would create an account nobody can address.
    if (m.accid !== accid) throw new NimbusError("PARAM_ERROR", `accid: ${m.accid} is not this actor's account ${accid}`);
    if (this.state.account) throw new NimbusError("PARAM_ERROR", `accid: ${accid} already registered`);
    const token = m.token ?? generateToken();
    const account = newAccount(accid, m, m.props ?? "", hashToken(token), Date.now());
    await this.commit(account);
    return { accid, token, name: account.record.name };
  }

  private verifyToken(token: string): TokenCheck {
    const a = this.state.account;
    if (!a || typeof token !== "string") return { ok: false, blocked: false };
    return { ok: tokenMatches(a.token, token), blocked: !a.record.valid };
  }

  private async setSpecialRelation(m: Extract<UserMessage, { t: "setSpecialRelation" }>): Promise<null> {
    const a = this.existing();
    if (m.targetAcc === a.record.accid) throw new NimbusError("PARAM_ERROR", "targetAcc: must not be the account itself");
    const next = withRelation(a, m.relationType, m.targetAcc, m.value, m.max ?? DEFAULT_MAX_RELATIONS);
    if (next !== a) await this.commit(next);
    return null;
  }

  private existing(): Account {
    const a = this.state.account;
    if (!a) throw new NimbusError("NOT_FOUND", `account ${this.ctx.id} does not exist`);
    return a;
  }

  /** Durable before anyone hears of it; on a failed save the old state stays, as if nothing happened. */
  private async commit(account: Account): Promise<void> {
    const previous = this.state;
    this.state = { account };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = previous;
      throw err;
    }
  }
}
