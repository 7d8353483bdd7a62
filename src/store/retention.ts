import type { FileStore } from "./files.ts";
import type { Journal, NonceStore } from "./port.ts";

export interface RetentionLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Deletes journal entries whose retention ran out, and request nonces past their window, every
 * `intervalMs`. SQLite has no TTL and FerretDB no TTL index, so this is the mechanism there and a
 * backstop on MongoDB. Every node may run it: a delete of what is already gone is a no-op.
 */
export function startRetentionSweeper(
  store: { journal: Journal; nonces: NonceStore; files?: Pick<FileStore, "purgeExpired"> },
  log: RetentionLogger,
  intervalMs: number,
): () => void {
  let running = false;
  const sweep = async (now: number): Promise<void> => {
    const purged = await store.journal.purgeExpired(now);
    if (purged > 0) log.info({ purged }, "purged expired messages");
    await store.nonces.purgeExpired(now); // one row per signed request: routine, not worth a line
    const files = await store.files?.purgeExpired(now);
    if (files) log.info({ files }, "purged expired uploaded files");
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep(Date.now())
      .catch((err: unknown) => log.error({ err }, "retention purge failed"))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
