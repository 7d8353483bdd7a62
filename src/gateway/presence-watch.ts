import type { Logger } from "pino";
import type { ActorSystem } from "../runtime/system.ts";
import type { Membership } from "../runtime/membership.ts";
import { subscriptionsAddress } from "../contracts/subscriptions.ts";
import { userAddress } from "../contracts/user.ts";
import {
  CUSTOM_EVENT,
  PRESENCE_EVENT,
  presenceSubject,
  type CustomEventChange,
  type PresenceChange,
  type PresencePush,
  type SubscriptionsChanged,
} from "../protocol/presence-events.ts";
import { ONLINE_STATE_EVENT } from "../contracts/subscriptions.ts";
import { decodeUserEventEnvelope, userEventOf, type EncodedUserEvent } from "../protocol/user-events.ts";
import { mapLimit } from "../util/map-limit.ts";
import type { LocalDevice } from "./device-session.ts";
import type { DeviceTable } from "./device-table.ts";
import { pushFrame, pushFrameOf } from "./frames.ts";
import type { SubjectTable } from "./subject-table.ts";

/** A subscriber with a device on this node: its subscriptions as this node last heard them. */
interface Watcher {
  readonly appKey: string;
  readonly accid: string;
  /** Its announced devices here; at 0 the watcher goes. */
  devices: number;
  /** SubscriptionsChanged.version of `entries`; -1 until the list is loaded. */
  version: number;
  /** The highest version heard while loading: newer than the list means load again. */
  heard: number;
  /** Per publisher, per eventType subscribed (1 online state, ≥ 100000 custom), when it ends. */
  entries: Map<string, Map<number, number>>;
  ready: Promise<void>;
  gone: boolean;
}

/** A publisher some local subscriber follows: this node listens to its presence subject. */
interface Watched {
  readonly subscribers: Set<string>;
  /** Per eventType, the newest seq this node pushed: the bus may repeat or reorder across a failover. */
  readonly lastSeq: Map<number, number>;
  readonly subscribed: Promise<void>;
}

/** How many publishers' states one sync asks for at once. */
const SYNC_CONCURRENCY = 16;
/** The longest wait between two tries to read a subscriber's list. */
const LOAD_RETRY_MAX_MS = 5_000;
/** How often expired subscriptions are let go (a push checks the expiry anyway). */
const SWEEP_MS = 30_000;

/**
 * The local side of online-status subscriptions on one node. While a subscriber has a device
 * here, the node holds the presence subject of each publisher it follows — once per publisher
 * however many local subscribers follow it, for whichever eventTypes (1 online state, ≥ 100000
 * custom events: both travel on that subject) — and fans each change out to the devices of the
 * local subscribers of its type from one frame. A subscriber's subscriptions come from its subscriptions actor: the
 * list when its first device arrives, then each versioned change on its user subject (a gap
 * reloads the list). A device gets the followed publishers' state right after its login, and the
 * subscriber's devices get a new publisher's state right after the node listens to it (NIM's
 * immediate sync); the seq in each change lets the SDK drop what it already had.
 */
export class PresenceWatch {
  private readonly watchers = new Map<string, Watcher>();
  private readonly watched = new Map<string, Watched>();
  private readonly sweep: ReturnType<typeof setInterval>;

  /** The members as last seen, with their start times: a member that drops out is looked up here. */
  private members = new Map<string, number>();

  constructor(
    private readonly deps: {
      subjects: SubjectTable;
      system: ActorSystem;
      table: DeviceTable;
      log: Logger;
      /** With it, a member's death logs its devices out of the publishers this node watches. */
      membership?: Membership;
      /** How long the login event log keeps a logout recorded for a dead node's device, per app. */
      retainDays?: (appKey: string) => number | undefined;
    },
  ) {
    this.sweep = setInterval(() => this.dropExpired(Date.now()), SWEEP_MS);
    this.sweep.unref();
    deps.membership?.on("change", this.onMembers);
    this.onMembers(deps.membership?.members() ?? []);
  }

  /**
   * A node that died took its devices with it, unannounced: the publishers this node watches are
   * told, so their user actors log those devices out and publish the change. Every surviving node
   * with watchers of a publisher tells it; the actor does it once.
   */
  private readonly onMembers = (members: readonly string[]): void => {
    const next = new Map<string, number>();
    for (const id of members) {
      const startedAt = this.deps.membership?.info(id)?.startedAt ?? this.members.get(id);
      if (startedAt !== undefined) next.set(id, startedAt);
    }
    const gone = [...this.members].filter(([id, startedAt]) => next.get(id) !== startedAt);
    this.members = next;
    for (const [nodeId, startedAt] of gone) {
      for (const key of this.watched.keys()) {
        const [appKey, publisher] = key.split("\u0000") as [string, string];
        const retainDays = this.deps.retainDays?.(appKey);
        this.deps.system
          .ask(userAddress(appKey, publisher), { t: "nodeGone", nodeId, startedAt, ...(retainDays !== undefined && { retainDays }) })
          .catch((err: unknown) => this.deps.log.warn({ err, publisher, nodeId }, "could not log out a dead node's devices"));
      }
    }
  };

  deviceOnline(d: LocalDevice): void {
    const key = keyOf(d.appKey, d.accid);
    let w = this.watchers.get(key);
    if (!w) {
      w = {
        appKey: d.appKey,
        accid: d.accid,
        devices: 0,
        version: -1,
        heard: -1,
        entries: new Map(),
        ready: Promise.resolve(),
        gone: false,
      };
      this.watchers.set(key, w);
      w.ready = this.load(w);
    }
    w.devices++;
    const watcher = w;
    void watcher.ready
      .then(() => this.sync(watcher, pairsOf(watcher.entries), d.deviceId, d.sessionId))
      .catch((err: unknown) => this.deps.log.warn({ err, accid: d.accid }, "presence sync after login failed"));
  }

  deviceOffline(d: LocalDevice): void {
    const key = keyOf(d.appKey, d.accid);
    const w = this.watchers.get(key);
    if (!w || --w.devices > 0) return;
    w.gone = true;
    this.watchers.delete(key);
    for (const p of w.entries.keys()) this.unwatch(w.appKey, p, w.accid);
  }

  /** A subscriptions change on the subscriber's user subject. */
  subscriptionsChanged(appKey: string, accid: string, event: EncodedUserEvent): void {
    const w = this.watchers.get(keyOf(appKey, accid));
    if (!w) return;
    let change: SubscriptionsChanged;
    try {
      change = userEventOf(event) as unknown as SubscriptionsChanged;
      if (typeof change.version !== "number") throw new Error("no version");
    } catch (err) {
      this.deps.log.warn({ err, accid }, "dropped a malformed subscriptions event");
      return;
    }
    if (w.version < 0) {
      w.heard = Math.max(w.heard, change.version); // loading: the list decides
      return;
    }
    if (change.version <= w.version) return;
    if (change.version > w.version + 1) {
      // Missed one: read the whole list again (later changes wait for it as while loading).
      w.heard = change.version;
      w.version = -1;
      w.ready = this.load(w);
      return;
    }
    w.version = change.version;
    if (change.cleared) this.replace(w, new Map());
    for (const [p, eventType] of change.removed ?? []) this.drop(w, p, eventType);
    const added: [string, number][] = [];
    for (const [p, expireAt, eventType] of change.set ?? []) {
      let types = w.entries.get(p);
      if (!types) w.entries.set(p, (types = new Map()));
      if (!types.has(eventType)) added.push([p, eventType]);
      types.set(eventType, expireAt);
    }
    void this.watchAll(w, [...new Set(added.map(([p]) => p))])
      .then(() => this.sync(w, added))
      .catch((err: unknown) => this.deps.log.warn({ err, accid }, "presence sync after subscribing failed"));
  }

  /** Subscribers watched and publishers listened to here, for stats. */
  counts(): { subscribers: number; publishers: number } {
    return { subscribers: this.watchers.size, publishers: this.watched.size };
  }

  stop(): void {
    clearInterval(this.sweep);
    this.deps.membership?.off("change", this.onMembers);
    for (const [key, w] of this.watchers) {
      w.gone = true;
      for (const p of w.entries.keys()) this.unwatch(w.appKey, p, w.accid);
      this.watchers.delete(key);
    }
  }

  /**
   * Reads the subscriber's list until it is at least as new as every change heard meanwhile. A
   * failed read (a busy or failing-over actor) is tried again, with backoff, while the subscriber
   * is here: without its list a device would hear nothing.
   */
  private async load(w: Watcher): Promise<void> {
    for (let failures = 0; ;) {
      let list: { version: number; entries: [string, number, number][] };
      try {
        list = await this.deps.system.ask(subscriptionsAddress(w.appKey, w.accid), { t: "list" });
      } catch (err) {
        if (w.gone) return;
        failures++;
        this.deps.log.warn({ err, accid: w.accid, failures }, "could not read a subscriber's subscriptions; trying again");
        await new Promise((r) => setTimeout(r, Math.min(LOAD_RETRY_MAX_MS, 250 * 2 ** failures)));
        continue;
      }
      if (w.gone) return;
      const next = new Map<string, Map<number, number>>();
      for (const [p, expireAt, eventType] of list.entries) {
        let types = next.get(p);
        if (!types) next.set(p, (types = new Map()));
        types.set(eventType, expireAt);
      }
      const added = [...next.keys()].filter((p) => !w.entries.has(p));
      this.replace(w, next);
      w.version = list.version;
      await this.watchAll(w, added);
      if (w.heard <= w.version || w.gone) return;
    }
  }

  /** Sets the watcher's entries, listening to new publishers and letting go of dropped ones. */
  private replace(w: Watcher, next: Map<string, Map<number, number>>): void {
    for (const p of w.entries.keys()) if (!next.has(p)) this.unwatch(w.appKey, p, w.accid);
    w.entries = next;
  }

  private watchAll(w: Watcher, publishers: readonly string[]): Promise<unknown> {
    return Promise.all(publishers.map((p) => this.watch(w.appKey, p, w.accid)));
  }

  /** Listens to the publisher for this subscriber; answers once the bus has the subscription. */
  private watch(appKey: string, publisher: string, subscriber: string): Promise<void> {
    const key = keyOf(appKey, publisher);
    let p = this.watched.get(key);
    if (!p) {
      const subscribed = this.deps.subjects.hold(presenceSubject(appKey, publisher), (data) => this.onPresence(appKey, publisher, data));
      p = { subscribers: new Set(), lastSeq: new Map(), subscribed };
      this.watched.set(key, p);
    }
    p.subscribers.add(subscriber);
    return p.subscribed;
  }

  private unwatch(appKey: string, publisher: string, subscriber: string): void {
    const key = keyOf(appKey, publisher);
    const p = this.watched.get(key);
    if (!p || !p.subscribers.delete(subscriber) || p.subscribers.size > 0) return;
    this.watched.delete(key);
    this.deps.subjects.release(presenceSubject(appKey, publisher));
  }

  /**
   * One change off the bus (online state, or one custom event): one frame, to every device of every
   * local subscriber still subscribed to that eventType of the publisher.
   */
  private onPresence(appKey: string, publisher: string, data: Uint8Array): void {
    const p = this.watched.get(keyOf(appKey, publisher));
    if (!p) return;
    let event: EncodedUserEvent;
    let newest: number;
    let eventType: number;
    try {
      event = decodeUserEventEnvelope(data);
      const { events } = userEventOf(event) as unknown as { events: (PresenceChange | CustomEventChange)[] };
      if ((event.ev !== PRESENCE_EVENT && event.ev !== CUSTOM_EVENT) || !Array.isArray(events) || events.length === 0)
        throw new Error("not a presence push");
      eventType = event.ev === PRESENCE_EVENT ? ONLINE_STATE_EVENT : events[0]!.eventType;
      if (events.some((e) => e?.eventType !== eventType)) throw new Error("a push of several event types");
      newest = Math.max(...events.map((e) => (typeof e?.seq === "number" ? e.seq : 0)));
    } catch (err) {
      this.deps.log.warn({ err, publisher }, "dropped a malformed presence event");
      return;
    }
    if (newest <= (p.lastSeq.get(eventType) ?? 0)) return; // already pushed (a repeat after a failover)
    p.lastSeq.set(eventType, newest);
    const frame = pushFrameOf(event.ev, event.body);
    const now = Date.now();
    for (const subscriber of p.subscribers) {
      const expireAt = this.watchers.get(keyOf(appKey, subscriber))?.entries.get(publisher)?.get(eventType);
      if (expireAt === undefined || expireAt <= now) continue;
      const user = this.deps.table.user(appKey, subscriber);
      if (user) for (const s of user.devices.values()) s.deliver(frame);
    }
  }

  /**
   * The publishers' state now and their kept custom events, in one push of each kind to the
   * subscriber's devices here (or to one device, by device id and session id, after its login).
   */
  private async sync(w: Watcher, pairs: readonly [string, number][], deviceId?: string, sessionId?: string): Promise<void> {
    if (pairs.length === 0 || w.gone) return;
    const states = await mapLimit(pairs, SYNC_CONCURRENCY, ([p, eventType]) => {
      const user = userAddress(w.appKey, p);
      const asked: Promise<PresenceChange | CustomEventChange | null> =
        eventType === ONLINE_STATE_EVENT
          ? this.deps.system.ask(user, { t: "presence" })
          : this.deps.system.ask(user, { t: "customEvent", eventType });
      return asked.catch((err: unknown) => {
        this.deps.log.warn({ err, publisher: p, eventType }, "presence state of a publisher unavailable for a sync");
        return null;
      });
    });
    const now = Date.now();
    const live = states.filter(
      (s): s is PresenceChange | CustomEventChange => s !== null && (w.entries.get(s.accid)?.get(s.eventType) ?? 0) > now,
    );
    const user = this.deps.table.user(w.appKey, w.accid);
    if (live.length === 0 || !user) return;
    const presence = live.filter((s): s is PresenceChange => s.eventType === ONLINE_STATE_EVENT);
    const custom = live.filter((s): s is CustomEventChange => s.eventType !== ONLINE_STATE_EVENT);
    const frames = [
      ...(presence.length > 0
        ? [pushFrame(PRESENCE_EVENT, { events: presence } satisfies PresencePush as unknown as Record<string, unknown>)]
        : []),
      ...(custom.length > 0 ? [pushFrame(CUSTOM_EVENT, { events: custom } as unknown as Record<string, unknown>)] : []),
    ];
    for (const s of user.devices.values()) {
      if (deviceId === undefined || (s.info.deviceId === deviceId && s.info.sessionId === sessionId)) for (const f of frames) s.deliver(f);
    }
  }

  /** Ends one subscription of the watcher here; the publisher is let go once no type of it is left. */
  private drop(w: Watcher, publisher: string, eventType: number): void {
    const types = w.entries.get(publisher);
    if (!types?.delete(eventType) || types.size > 0) return;
    w.entries.delete(publisher);
    this.unwatch(w.appKey, publisher, w.accid);
  }

  private dropExpired(now: number): void {
    for (const w of this.watchers.values()) {
      for (const [p, types] of w.entries) {
        for (const [eventType, expireAt] of types) if (expireAt <= now) this.drop(w, p, eventType);
      }
    }
  }
}

/** Every (publisher, eventType) subscribed. */
function pairsOf(entries: Map<string, Map<number, number>>): [string, number][] {
  return [...entries].flatMap(([p, types]) => [...types.keys()].map((t): [string, number] => [p, t]));
}

function keyOf(appKey: string, accid: string): string {
  return `${appKey}\u0000${accid}`;
}
