/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight: reading a hundred
 * conversations for a login sync must not put a hundred queries on the store at once.
 * Results keep the order of `items`; the first rejection rejects the whole.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
