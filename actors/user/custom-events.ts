import { BroadcastType, type CustomEventChange, type PublishEventRequest } from "../../src/protocol/presence-events.ts";

/** Custom event types a publisher's newest events are kept for, at most: the oldest kept goes first. */
const KEPT_TYPES_MAX = 100;

/**
 * A publisher's custom events (eventType ≥ 100000): the change subscribers hear of, numbered past
 * every earlier one (ms-based, so it keeps growing over restarts even when the last seq was not
 * saved), and the newest event of each type kept while valid when it is broadcast online and
 * offline (broadcastType 2), for subscribers that come later or log in later.
 */
export function customEventOf(accid: string, req: PublishEventRequest, lastSeq: number, now: number): CustomEventChange {
  return {
    accid,
    eventType: req.eventType,
    eventValue: req.eventValue,
    config: req.config ?? "",
    broadcastType: req.broadcastType ?? BroadcastType.ONLINE_AND_OFFLINE,
    seq: Math.max(lastSeq + 1, now),
    time: now,
    expireAt: now + req.ttl * 1000,
  };
}

/**
 * The kept events after `e`: the newest per type broadcast online and offline, still valid, at
 * most KEPT_TYPES_MAX types. An online-only event passes by and leaves the kept one of its type.
 */
export function keptAfter(kept: readonly CustomEventChange[], e: CustomEventChange, now: number): CustomEventChange[] {
  const valid = kept.filter((k) => k.expireAt > now);
  if (e.broadcastType !== BroadcastType.ONLINE_AND_OFFLINE) return valid;
  return [...valid.filter((k) => k.eventType !== e.eventType), e].slice(-KEPT_TYPES_MAX);
}

/** The newest kept event of `eventType` still valid, as a sync hands it. */
export function keptEvent(kept: readonly CustomEventChange[] | undefined, eventType: number, now: number): CustomEventChange | null {
  const e = kept?.find((k) => k.eventType === eventType && k.expireAt > now);
  return e ? { ...e, sync: true } : null;
}
