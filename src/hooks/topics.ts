/**
 * Data sync is queued per app in a fixed number of buckets, each an outbox topic. A bucket is
 * delivered by one node at a time, one event after another, so events of one conversation (which
 * always hash to one bucket) arrive in the order they were queued, while the buckets give an app
 * server up to BUCKETS requests in parallel. The count is part of the stored data: changing it
 * would split a conversation's queued events over two buckets.
 */
export const BUCKETS = 8;

const PREFIX = "hooks.sync";

/** FNV-1a: a stable, cheap string hash (not for security). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function bucketOf(partitionKey: string): number {
  return fnv1a(partitionKey) % BUCKETS;
}

export function syncTopic(appKey: string, bucket: number): string {
  return `${PREFIX}/${appKey}/${bucket}`;
}

/** The placement address of a bucket: the node that would own this address delivers it. */
export function bucketAddress(appKey: string, bucket: number): string {
  return `hooksync/${appKey}/${bucket}`;
}
