import { NimbusError } from "../../src/protocol/errors.ts";

/** One element of the room's queue (NIM's 麦序, the mic order). */
export interface QueueElement {
  key: string;
  value: string;
  /** Who offered it last; null = the app server. */
  operator: string | null;
  /** Removed when its operator leaves the room. */
  transient: boolean;
}

export interface QueueState {
  /** NIM's queueInit sizeLimit (at most 1000). */
  sizeLimit: number;
  elements: QueueElement[];
}

export const QUEUE_SIZE_MAX = 1000;

export function emptyQueue(): QueueState {
  return { sizeLimit: QUEUE_SIZE_MAX, elements: [] };
}

/**
 * The queue's operations on a copy, in FIFO order: an offer of a key already there updates its
 * value in place (NIM), a new key goes to the tail. A list, not a map keyed by key: a key may be
 * `__proto__`, and order is the point.
 */
export function offer(q: QueueState, el: QueueElement): QueueState {
  const at = q.elements.findIndex((e) => e.key === el.key);
  if (at >= 0) {
    const elements = q.elements.slice();
    elements[at] = el;
    return { ...q, elements };
  }
  if (q.elements.length >= q.sizeLimit) throw new NimbusError("QUANTITY_LIMIT", `the queue is full (${q.sizeLimit} elements)`);
  return { ...q, elements: [...q.elements, el] };
}

/** Takes `key`, or the head when key is "". */
export function poll(q: QueueState, key: string): { queue: QueueState; taken: QueueElement | undefined } {
  const at = key === "" ? (q.elements.length > 0 ? 0 : -1) : q.elements.findIndex((e) => e.key === key);
  if (at < 0) return { queue: q, taken: undefined };
  const elements = q.elements.slice();
  const [taken] = elements.splice(at, 1);
  return { queue: { ...q, elements }, taken };
}

/** Removes the transient elements `accid` offered; answers the removed ones. */
export function dropTransientOf(q: QueueState, accid: string): { queue: QueueState; removed: QueueElement[] } {
  const removed = q.elements.filter((e) => e.transient && e.operator === accid);
  if (removed.length === 0) return { queue: q, removed };
  return { queue: { ...q, elements: q.elements.filter((e) => !(e.transient && e.operator === accid)) }, removed };
}

export function listOf(q: QueueState): { key: string; value: string }[] {
  return q.elements.map((e) => ({ key: e.key, value: e.value }));
}
