import type { Journal } from "./port.ts";

export interface RetentionLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Deletes journal entries whose retention ran out, every `intervalMs`. SQLite has no TTL and
 * FerretDB no TTL index, so this is the mechanism there and a backstop on MongoDB. Every node may
 * run it: a delete of what is already gone is a no-op.
 */
export function startRetentionSweeper(journal: Journal, log: RetentionLogger, intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    journal
      .purgeExpired(Date.now())
      .then(
        (purged) => purged > 0 && log.info({ purged }, "purged expired messages"),
        (err: unknown) => log.error({ err }, "retention purge failed"),
      )
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
