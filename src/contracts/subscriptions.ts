import { actorRef, type ActorRef, type RequestOf } from "../runtime/actor-ref.ts";

/**
 * The online-status subscriptions of one subscriber (`subscriptions/<appKey>/<accid>`): which
 * publishers it follows, each until its TTL runs out (NIM's event subscription, eventType 1).
 * Publishers are lower-cased accids. Expired subscriptions count for nothing and are never shown.
 */
export interface Subscription {
  publisher: string;
  /** 1 online state, or a custom event type (≥ 100000). */
  eventType: number;
  /** When it was made or last renewed (ms). */
  subscribedAt: number;
  /** When it ends by itself (ms). */
  expireAt: number;
}

/** NIM's online state eventType: what a subscription is for when no type is named. */
export const ONLINE_STATE_EVENT = 1;

/** NIM's bounds on one add: at most 100 publishers, TTL 60 s to 30 days. */
export const SUBSCRIBE_MAX_PUBLISHERS = 100;
export const SUBSCRIBE_TTL_MIN_S = 60;
export const SUBSCRIBE_TTL_MAX_S = 2_592_000;

export type SubscriptionsProtocol = {
  /**
   * Subscribes to (or renews) each publisher for `ttlSeconds`. Publishers that are malformed, not
   * registered, or the subscriber itself are answered in `failed` and left out. Past `max` live
   * subscriptions the whole call is refused (419) and nothing changes.
   */
  add: { request: { publishers: string[]; ttlSeconds: number; max: number; eventType?: number }; reply: { failed: string[] } };
  /** Ends these subscriptions (of `eventType`, 1 when absent); publishers not subscribed are answered in `failed`. */
  remove: { request: { publishers: string[]; eventType?: number }; reply: { failed: string[] } };
  /** Ends every subscription of `eventType`, or of every type when absent. */
  clear: { request: { eventType?: number }; reply: null };
  /** Live subscriptions, of these publishers and this eventType only when given. */
  query: { request: { publishers?: string[]; eventType?: number }; reply: Subscription[] };
  /** Every live subscription and the list's version: what a node loads for a subscriber's devices. */
  list: { request: object; reply: { version: number; entries: [publisher: string, expireAt: number, eventType: number][] } };
};

export type SubscriptionsMessage = RequestOf<SubscriptionsProtocol>;

export const SUBSCRIPTIONS_KIND = "subscriptions";

export function subscriptionsAddress(appKey: string, accid: string): ActorRef<SubscriptionsProtocol> {
  return actorRef<SubscriptionsProtocol>(SUBSCRIPTIONS_KIND, appKey, accid);
}
