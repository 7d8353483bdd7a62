import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

/** JSON lines on stdout, as pino writes them; one logger per node, children per component. */
export function createLogger(level: LevelWithSilent, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } });
}
