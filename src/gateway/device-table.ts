import type { SubjectTable } from "./subject-table.ts";
import { userSubject } from "../protocol/user-events.ts";
import { broadcastSubject } from "../protocol/broadcasts.ts";
import type { DeviceSession } from "./device-session.ts";

/** One user with at least one device on this node, and this node's subscription to their subject. */
export interface LocalUser {
  readonly appKey: string;
  readonly accid: string;
  readonly subject: string;
  /** By device id: one session per device id on a node. */
  readonly devices: Map<string, DeviceSession>;
  /** Resolves once the subscription is in effect on the bus (NATS has seen it). */
  readonly subscribed: Promise<void>;
}

export type UserEventHandler = (user: LocalUser, data: Uint8Array) => void;
/** An app-wide event (a broadcast) for every local device of `appKey`. */
export type AppEventHandler = (appKey: string, users: ReadonlySet<LocalUser>, data: Uint8Array) => void;

/** Told when a user gets their first device here and when their last one goes (e.g. to hold their teams' subjects). */
export interface LocalUserWatcher {
  /** The user's `subscribed` waits for this too: what it holds is in effect before the device is told it is online. */
  userArrived(user: LocalUser): Promise<void>;
  userGone(user: LocalUser): void;
}

/**
 * Which devices of which users are connected to this node. Delivery is by subject, not by lookup
 * (DESIGN "Delivery"): the node subscribes to `user.<app>.<accid>` when the user's first device
 * arrives here and unsubscribes when the last one is gone, so a publisher never needs to know
 * where a user is connected. A resuming device still counts: its pushes are buffered. Likewise
 * the node holds `broadcast.<app>` while any device of that app is here: an app-wide broadcast is
 * one publish, which this node writes to its own devices of the app.
 */
export class DeviceTable {
  private readonly users = new Map<string, LocalUser>();
  /** The local users of each app, for its broadcasts. */
  private readonly byApp = new Map<string, Set<LocalUser>>();
  private sessions = 0;

  constructor(
    private readonly subjects: SubjectTable,
    private readonly onEvent: UserEventHandler,
    private readonly watcher?: LocalUserWatcher,
    private readonly onAppEvent: AppEventHandler = () => undefined,
  ) {}

  /**
   * Adds a session. A session of the same device id already here is returned as `replaced` and
   * is no longer in the table; the caller ends it.
   */
  add(session: DeviceSession): { user: LocalUser; replaced: DeviceSession | undefined } {
    const { appKey, accid } = session.info;
    const user = this.users.get(keyOf(appKey, accid)) ?? this.subscribe(appKey, accid);
    const replaced = user.devices.get(session.key);
    user.devices.set(session.key, session);
    if (!replaced) this.sessions++;
    return { user, replaced };
  }

  /** Removes the session if it is still the table's one for its device; unsubscribes after the last. */
  remove(session: DeviceSession): boolean {
    const { appKey, accid } = session.info;
    const key = keyOf(appKey, accid);
    const user = this.users.get(key);
    if (!user || user.devices.get(session.key) !== session) return false;
    user.devices.delete(session.key);
    this.sessions--;
    if (user.devices.size === 0) {
      this.users.delete(key);
      this.subjects.release(user.subject);
      this.watcher?.userGone(user);
      this.leaveApp(user);
    }
    return true;
  }

  user(appKey: string, accid: string): LocalUser | undefined {
    return this.users.get(keyOf(appKey, accid.toLowerCase()));
  }

  /** The user's devices that count as online: joined (acknowledged), or inside their resume window. */
  devicesOf(appKey: string, accid: string): DeviceSession[] {
    const user = this.user(appKey, accid);
    return user ? [...user.devices.values()].filter((s) => s.announced) : [];
  }

  *all(): IterableIterator<DeviceSession> {
    for (const user of this.users.values()) yield* user.devices.values();
  }

  counts(): { users: number; devices: number } {
    return { users: this.users.size, devices: this.sessions };
  }

  /** Drops every user subscription; for the end of a shutdown, after every session has ended. */
  clear(): void {
    for (const user of this.users.values()) {
      this.subjects.release(user.subject);
      this.watcher?.userGone(user);
      this.leaveApp(user);
    }
    this.users.clear();
    this.sessions = 0;
  }

  private subscribe(appKey: string, accid: string): LocalUser {
    const subject = userSubject(appKey, accid);
    // The handler closes over this entry, so a user who leaves and comes back gets a fresh
    // subscription, and the old one (unsubscribed) can deliver nothing into the new entry.
    // The bus never calls a handler synchronously, so `user` is assigned before any delivery.
    let user: LocalUser | undefined;
    const own = this.subjects.hold(subject, (data) => {
      if (user) this.onEvent(user, data);
    });
    // One hold of the app's broadcast subject per local user; the table's set of the app's users
    // is read at delivery time, so the first holder's handler serves every later one.
    const app = this.subjects.hold(broadcastSubject(appKey), (data) => {
      const users = this.byApp.get(appKey);
      if (users) this.onAppEvent(appKey, users, data);
    });
    const held = Promise.all([own, app]).then(() => undefined);
    // After `user` is assigned (a microtask later): the watcher gets the entry it will be told is gone.
    const watched = this.watcher ? Promise.resolve().then(() => this.watcher!.userArrived(user!)) : undefined;
    const subscribed = watched ? Promise.all([held, watched]).then(() => undefined) : held;
    user = { appKey, accid, subject, devices: new Map(), subscribed };
    this.users.set(keyOf(appKey, accid), user);
    let users = this.byApp.get(appKey);
    if (!users) this.byApp.set(appKey, (users = new Set()));
    users.add(user);
    return user;
  }

  private leaveApp(user: LocalUser): void {
    this.subjects.release(broadcastSubject(user.appKey));
    const users = this.byApp.get(user.appKey);
    users?.delete(user);
    if (users?.size === 0) this.byApp.delete(user.appKey);
  }
}

function keyOf(appKey: string, accid: string): string {
  return `${appKey}\u0000${accid}`;
}
