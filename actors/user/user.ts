import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import {
  muteModulesOf,
  muteModulesPatch,
  newAccount,
  profilePatch,
  publicRecord,
  withRecord,
  type Account,
  type UserState,
} from "./account.ts";
import {
  ADMITTED,
  type AdmissionView,
  BLACKLISTED,
  type MuteModules,
  type RelationLists,
  type SenderStanding,
  type TokenCheck,
  type TokenInfo,
  type UserMessage,
  type UserRecord,
} from "../../src/contracts/user.ts";
import { DEFAULT_MAX_RELATIONS, withRelation } from "./relations.ts";
import { generateToken, hashToken, tokenMatches } from "./token.ts";
import { admitDevice, LOGIN_HISTORY, type DeviceRecord, type LoginEvent } from "./devices.ts";
import { LoginLockout } from "./login-lockout.ts";
import { DEFAULT_LOGIN_LOG_DAYS, LoginLog } from "./login-log.ts";
import { presenceChanges, presenceNow } from "./presence.ts";
import {
  CUSTOM_EVENT,
  PRESENCE_EVENT,
  presenceSubject,
  type CustomEventChange,
  type PublishEventRequest,
} from "../../src/protocol/presence-events.ts";
import { customEventOf, keptAfter, keptEvent } from "./custom-events.ts";
import type { LoginLockoutPolicy } from "../../src/contracts/user.ts";
import { encodeUserEvent, encodeUserEventOf, KickReason, userSubject, type KickEvent } from "../../src/protocol/user-events.ts";

/**
 * One account (`user/<appKey>/<accid>`, accid lower-case): its token, profile, bans, mutes and
 * blacklist / mute list. Handlers compute the next state as a new value and commit it in one
 * step, so a refusal or a failed save leaves the state exactly as it was.
 */
export class UserActor extends Actor<UserState> {
  /** Wrong tokens lately, cluster-wide (every login of the account asks this actor); in memory only. */
  private readonly logins = new LoginLockout();
  /** The durable login event log (journal-backed); `state.logins` keeps only the last few in the snapshot. */
  private readonly loginLog = new LoginLog(this.ctx);

  initialState(): UserState {
    return { account: null };
  }

  override onActivate(): void {
    if (this.state.account) this.shareAdmission(this.state.account);
  }

  receive(message: unknown): unknown {
    const m = message as UserMessage;
    // A send asks `standing` of its sender and `admits` of its recipient when it cannot read their
    // AdmissionView (src/messaging/admission.ts): answered at once, not in a promise, with answers made once.
    if (m.t === "standing") return this.state.account ? standingOf(this.state.account.record) : null;
    if (m.t === "teamStanding") return this.state.account ? teamStandingOf(this.state.account.record) : null;
    if (m.t === "admits") {
      const a = this.state.account;
      return a ? (a.blacklist.includes(m.from) ? BLACKLISTED : ADMITTED) : null;
    }
    if (m.t === "get") return this.state.account ? publicRecord(this.state.account) : null;
    return this.handle(m);
  }

  private async handle(m: Exclude<UserMessage, { t: "get" | "admits" | "standing" | "teamStanding" }>): Promise<unknown> {
    switch (m.t) {
      case "create":
        return this.create(m);
      case "verifyToken":
        return this.verifyToken(m.token, m.lockout);
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
        if (m.needkick) {
          // Every device, wherever it is connected; each one's gateway reports it offline in turn.
          this.kick({ reason: KickReason.SERVER, desc: "account blocked", ...(m.kickNotifyExt ? { ext: m.kickNotifyExt } : {}) });
        }
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
      case "deviceOnline":
        return this.deviceOnline(m.device, m.policy, m.retainDays ?? DEFAULT_LOGIN_LOG_DAYS);
      case "deviceOffline":
        return this.deviceOffline(m.sessionId, m.reason, m.retainDays ?? DEFAULT_LOGIN_LOG_DAYS);
      case "loginEvents":
        return this.loginLog.read(m);
      case "devices":
        return this.liveDevices();
      case "nodeGone":
        return this.nodeGone(m.nodeId, m.startedAt, m.retainDays ?? DEFAULT_LOGIN_LOG_DAYS);
      case "presence":
        return this.state.account
          ? presenceNow(this.ctx.id, this.liveDevices(), this.state.presenceSeq ?? 0, this.state.presenceAt ?? 0)
          : null;
      case "publishEvent":
        return this.publishEvent(m.event);
      case "customEvent":
        return this.state.account ? keptEvent(this.state.customEvents, m.eventType, Date.now()) : null;
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

  /**
   * With a lockout policy, wrong tokens are counted, and past the policy's number every check is
   * refused for its lockout time without looking at the token, so a guess made meanwhile learns
   * nothing, and neither does it learn that the account is blocked.
   */
  private verifyToken(token: string, policy: LoginLockoutPolicy | null | undefined): TokenCheck {
    const a = this.state.account;
    if (!a) return { ok: false, blocked: false, lockedForMs: 0, missing: true };
    if (typeof token !== "string") return { ok: false, blocked: false, lockedForMs: 0 };
    const now = Date.now();
    const lockedForMs = policy ? this.logins.lockedFor(now) : 0;
    if (lockedForMs > 0) return { ok: false, blocked: false, lockedForMs };
    const ok = tokenMatches(a.token, token);
    if (policy && ok) this.logins.succeeded();
    else if (policy) this.logins.failed(policy, now);
    return { ok, blocked: !a.record.valid, lockedForMs: 0 };
  }

  private async setSpecialRelation(m: Extract<UserMessage, { t: "setSpecialRelation" }>): Promise<null> {
    const a = this.existing();
    if (m.targetAcc === a.record.accid) throw new NimbusError("PARAM_ERROR", "targetAcc: must not be the account itself");
    const next = withRelation(a, m.relationType, m.targetAcc, m.value, m.max ?? DEFAULT_MAX_RELATIONS);
    if (next !== a) await this.commit(next);
    return null;
  }

  /**
   * A login on some node: admitted under the app's policy, recorded, saved, and only then are the
   * evicted devices told to go — the registry never shows a device that is being kicked.
   */
  private async deviceOnline(device: DeviceRecord, policy: 1 | 2 | 3, retainDays: number): Promise<{ kicked: string[] }> {
    this.existing();
    const { devices, evicted } = admitDevice(this.liveDevices(), device, policy);
    const now = Date.now();
    const events: LoginEvent[] = [
      ...evicted.map(({ device: d, reason }) => loginEvent(d, "logout", now, reason)),
      loginEvent(device, "login", device.loginTime),
    ];
    await this.commitDevices(devices, events, retainDays);
    const byReason = new Map<number, string[]>();
    for (const e of evicted) byReason.set(e.reason, [...(byReason.get(e.reason) ?? []), e.device.sessionId]);
    for (const [reason, sessionIds] of byReason) {
      this.kick({
        reason: reason as KickEvent["reason"],
        desc: reason === KickReason.OTHER_DEVICE ? "logged in on another device" : "multi-device policy",
        sessionIds,
      });
    }
    return { kicked: evicted.map((e) => e.device.sessionId) };
  }

  private async deviceOffline(sessionId: string, reason: number, retainDays: number): Promise<null> {
    const current = this.state.devices ?? [];
    const gone = current.find((d) => d.sessionId === sessionId);
    // Already gone (kicked here first, or pruned with its node): nothing to record twice.
    if (!gone) return null;
    await this.commitDevices(
      current.filter((d) => d !== gone),
      [loginEvent(gone, "logout", Date.now(), reason)],
      retainDays,
    );
    return null;
  }

  /**
   * Logs out, as disconnected, the devices of a node that died (by the caller's word, which may
   * come before this node's membership view has noticed) and of any node this node knows is gone.
   */
  private async nodeGone(nodeId: string, startedAt: number, retainDays: number): Promise<null> {
    const current = this.state.devices ?? [];
    const stale = current.filter(
      (d) => (d.nodeId === nodeId && d.nodeStartedAt === startedAt) || !this.ctx.isNodeAlive(d.nodeId, d.nodeStartedAt),
    );
    if (stale.length === 0) return null;
    const now = Date.now();
    await this.commitDevices(
      current.filter((d) => !stale.includes(d)),
      stale.map((d) => loginEvent(d, "logout", now, 2)),
      retainDays,
      current,
    );
    return null;
  }

  /** Devices on live nodes; those of a dead or restarted node are stale and left out. */
  private liveDevices(): DeviceRecord[] {
    return (this.state.devices ?? []).filter((d) => this.ctx.isNodeAlive(d.nodeId, d.nodeStartedAt));
  }

  private kick(kick: Omit<KickEvent, "ev">): void {
    this.ctx.publish(userSubject(this.ctx.appKey, this.ctx.id), encodeUserEvent({ ev: "kick", ...kick }));
  }

  /**
   * The log first: a turn that fails after it is retried, and the retry's appends are duplicates
   * (keyed by session and event), so an event is never logged twice nor lost.
   */
  private async commitDevices(
    devices: DeviceRecord[],
    events: LoginEvent[],
    retainDays: number,
    before: readonly DeviceRecord[] = this.liveDevices(),
  ): Promise<void> {
    await this.loginLog.append(events, retainDays);
    const previous = this.state;
    const changes = presenceChanges(this.ctx.id, before, events, previous.presenceSeq ?? 0);
    const last = changes[changes.length - 1];
    this.state = {
      ...previous,
      devices,
      logins: [...(previous.logins ?? []), ...events].slice(-LOGIN_HISTORY),
      ...(last && { presenceSeq: last.seq, presenceAt: last.time }),
    };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = previous;
      throw err;
    }
    // Once per turn, whatever the number of subscribers: the nodes that hold some fan it out.
    if (changes.length > 0)
      this.ctx.publish(presenceSubject(this.ctx.appKey, this.ctx.id), encodeUserEventOf(PRESENCE_EVENT, { events: changes }));
  }

  /**
   * One publish on the presence subject, whatever the number of subscribers; the kept event is
   * saved with the state later (markDirty), not one write per event: a crash may lose it, and the
   * ms-based seq still grows past it.
   */
  private publishEvent(req: PublishEventRequest): CustomEventChange {
    this.existing();
    const now = Date.now();
    const event = customEventOf(this.ctx.id, req, this.state.customEventSeq ?? 0, now);
    this.state = { ...this.state, customEventSeq: event.seq, customEvents: keptAfter(this.state.customEvents ?? [], event, now) };
    this.ctx.markDirty();
    this.ctx.publish(presenceSubject(this.ctx.appKey, this.ctx.id), encodeUserEventOf(CUSTOM_EVENT, { events: [event] }));
    return event;
  }

  private existing(): Account {
    const a = this.state.account;
    if (!a) throw new NimbusError("NOT_FOUND", `account ${this.ctx.id} does not exist`);
    return a;
  }

  /**
   * Durable before anyone hears of it; on a failed save the old state stays, as if nothing happened.
   * Sends read the saved account's standing and blacklist from the node without asking (admission.ts).
   */
  private async commit(account: Account): Promise<void> {
    const previous = this.state;
    this.state = { ...previous, account };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = previous;
      throw err;
    }
    this.shareAdmission(account);
  }

  private shareAdmission(account: Account): void {
    const blacklist = account.blacklist.length === 0 ? NOBODY : new Set(account.blacklist);
    const record = account.record;
    this.ctx.share({ standing: standingOf(record), teamStanding: teamStandingOf(record), blacklist } satisfies AdmissionView);
  }
}

/** The blacklist of most accounts, shared: every active account has a view, and an empty Set is not free. */
const NOBODY: ReadonlySet<string> = new Set();

function standingOf(r: UserRecord): SenderStanding {
  if (!r.valid) return "blocked";
  return r.mute || r.muteP2P ? "muted" : "ok";
}

function teamStandingOf(r: UserRecord): SenderStanding {
  if (!r.valid) return "blocked";
  return r.mute || r.muteTeam ? "muted" : "ok";
}

function loginEvent(d: DeviceRecord, event: LoginEvent["event"], at: number, reason?: number): LoginEvent {
  return {
    at,
    event,
    sessionId: d.sessionId,
    deviceId: d.deviceId,
    clientType: d.clientType,
    ip: d.ip,
    ...(d.sdkVersion !== undefined && { sdkVersion: d.sdkVersion }),
    ...(d.customTag !== undefined && { customTag: d.customTag }),
    ...(reason !== undefined && { reason }),
  };
}
