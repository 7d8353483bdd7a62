/**
 * Online-status subscriptions (NIM's event subscription, eventType 1) on the wire: what a
 * subscriber's devices receive, and the bus subjects that carry it. Shared by the publisher's user
 * actor, the gateway and the SDK.
 *
 * A publisher's user actor publishes each change of its online state ONCE, on
 * `presence.<app>.<accid>`; every node where a device of some subscriber is connected listens to
 * that subject (SubjectTable) and pushes the one frame to its local subscribers' devices. So a
 * publisher with 100,000 subscribers costs one bus message per change, not 100,000.
 */

/** The push frame type subscribers' devices receive: body {@link PresencePush}. */
export const PRESENCE_EVENT = "presence";

/**
 * The gateway-internal user event (never pushed to a device) that tells each node holding a
 * subscriber's devices that its subscriptions changed: body {@link SubscriptionsChanged}.
 */
export const SUBSCRIPTIONS_EVENT = "subs";

/** NIM's online-state values: 1 logged in, 2 logged out (kicks included, see `reason`), 3 disconnected. */
export const PresenceValue = { LOGIN: 1, LOGOUT: 2, DISCONNECT: 3 } as const;
export type PresenceValue = (typeof PresenceValue)[keyof typeof PresenceValue];

/** One change of a publisher's online state, or (with `sync`) its state as it is now. */
export interface PresenceChange {
  /** The publisher. */
  accid: string;
  /** NIM's eventType: 1 online state. */
  eventType: 1;
  /**
   * Grows by one with each change of this publisher's state, cluster-wide and over restarts: a
   * device keeps the last one it saw per publisher and drops anything not newer (a sync may
   * repeat what a push said).
   */
  seq: number;
  value: PresenceValue;
  /** Whether any device of the publisher is online after this change. */
  online: boolean;
  /** Client types online after this change (NIM names: AOS, IOS, PC, WEB, MAC, HARMONY). */
  clientTypes: string[];
  /** The device that came or went (absent in a sync). */
  clientType?: string;
  /** For a logout: NIM's reason, 1 logout, 2 disconnect, 3 kicked by the user's other device, 4 by the policy, 5 by the app server. */
  reason?: number;
  /** When it changed (ms). */
  time: number;
  /** True when this is the state now (after subscribing, after login) rather than a change. */
  sync?: true;
}

/** The body of a `presence` push: one or more changes, in order. */
export interface PresencePush {
  events: PresenceChange[];
}

/** `presence.<appKey>.<accid>`, accid lower-cased. */
export function presenceSubject(appKey: string, accid: string): string {
  return `presence.${appKey}.${accid.toLowerCase()}`;
}

/**
 * A subscriber's subscriptions changed (its subscriptions actor publishes it on the subscriber's
 * user subject). `version` grows by one per change, so a node that missed one re-reads the list.
 */
export interface SubscriptionsChanged {
  version: number;
  /** Publishers now subscribed, with when the subscription ends (ms). */
  set?: [publisher: string, expireAt: number][];
  /** Publishers no longer subscribed. */
  removed?: string[];
  /** Every subscription went. */
  cleared?: boolean;
}

/** What a device may ask about its own subscriptions (Colyseus requests). */
export const PresenceRequests = {
  /** {@link SubscribeRequest} -> `{failed: string[]}` (as event/subscribe/add's failedAccid). */
  SUBSCRIBE: "subscribe",
  /** {@link UnsubscribeRequest} -> `{failed: string[]}`; without `publishers`, every subscription ends. */
  UNSUBSCRIBE: "unsubscribe",
  /** `{publishers?: string[]}` -> {@link SubscriptionInfo}[]. */
  SUBSCRIPTIONS: "subscriptions",
} as const;

export interface SubscribeRequest {
  /** 1 to 100 accids. */
  publishers: string[];
  /** 60 to 2,592,000 (30 days). */
  ttlSeconds: number;
}

export interface UnsubscribeRequest {
  publishers?: string[];
}

export interface SubscriptionInfo {
  publisher: string;
  subscribedAt: number;
  expireAt: number;
}
