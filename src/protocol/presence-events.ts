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

/** The push frame type of a custom event (eventType ≥ 100000): body {@link CustomEventPush}. */
export const CUSTOM_EVENT = "customEvent";

/** NIM: eventType 1 is the online state; custom event types start here. */
export const CUSTOM_EVENT_TYPE_MIN = 100_000;
/** NIM's eventType is an int: custom types up to here. */
export const CUSTOM_EVENT_TYPE_MAX = 2_147_483_647;
/** A custom event's `config` string, at most (NIM's client SDK: 4096). */
export const CUSTOM_EVENT_CONFIG_MAX = 4096;
/** A custom event's validity in seconds (NIM's client SDK: 60 s to 7 days). */
export const CUSTOM_EVENT_TTL_MIN_S = 60;
export const CUSTOM_EVENT_TTL_MAX_S = 604_800;

/** NIM's broadcastType: 1 to subscribers online now only, 2 also kept for those who come later (within the ttl). */
export const BroadcastType = { ONLINE_ONLY: 1, ONLINE_AND_OFFLINE: 2 } as const;
export type BroadcastType = (typeof BroadcastType)[keyof typeof BroadcastType];

/** What a publisher sends (request `publishEvent`). */
export interface PublishEventRequest {
  /** ≥ 100000. */
  eventType: number;
  /** The app's own value (an integer). */
  eventValue: number;
  /** The app's own string, at most 4096 characters; "" when absent. */
  config?: string;
  /** Seconds it is valid: 60 to 604800. */
  ttl: number;
  /** 1 online only, 2 online and offline (default). */
  broadcastType?: BroadcastType;
}

/** One custom event of a publisher as subscribers receive it, or (with `sync`) the one kept now. */
export interface CustomEventChange {
  accid: string;
  eventType: number;
  eventValue: number;
  config: string;
  broadcastType: BroadcastType;
  /** Grows with each event of this publisher (ms-based, so it grows over restarts too): keep the last per publisher and type. */
  seq: number;
  time: number;
  /** When it stops being valid (ms): a sync never hands it later. */
  expireAt: number;
  sync?: true;
}

/** The body of a `customEvent` push. */
export interface CustomEventPush {
  events: CustomEventChange[];
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
  /** Publishers now subscribed for an eventType, with when the subscription ends (ms). */
  set?: [publisher: string, expireAt: number, eventType: number][];
  /** Publishers no longer subscribed for an eventType. */
  removed?: [publisher: string, eventType: number][];
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
  /** {@link PublishEventRequest} -> {@link CustomEventChange}: the event as subscribers get it. */
  PUBLISH_EVENT: "publishEvent",
} as const;

export interface SubscribeRequest {
  /** 1 to 100 accids. */
  publishers: string[];
  /** 60 to 2,592,000 (30 days). */
  ttlSeconds: number;
  /** 1 online state (default), or a custom event type ≥ 100000. */
  eventType?: number;
}

export interface UnsubscribeRequest {
  publishers?: string[];
  /** 1 (default) or a custom event type. */
  eventType?: number;
}

export interface SubscriptionInfo {
  publisher: string;
  eventType: number;
  subscribedAt: number;
  expireAt: number;
}
