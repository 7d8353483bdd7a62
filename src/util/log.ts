import { pino, type Logger, type LevelWithSilent } from "pino";
import pretty from "pino-pretty";

export type { Logger };

/**
 * One logger per node, children per component. JSON lines on stdout for machines (a collector, a
 * container runtime); when stdout is a terminal, the same lines made readable by pino-pretty, so a
 * developer running `npm start` does not read JSON. `NIMBUS_LOG_FORMAT=json|pretty` overrides.
 */
export function createLogger(level: LevelWithSilent, bindings: Record<string, unknown> = {}): Logger {
  const format = process.env.NIMBUS_LOG_FORMAT || (process.stdout.isTTY ? "pretty" : "json");
  const options = { level, base: { pid: process.pid, ...bindings } };
  if (format !== "pretty") return pino(options);
  return pino(options, pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }));
}
