/** Where an adapter reports what it had to work around; pino's `warn(obj, msg)` fits as is. */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export const consoleLogger: StoreLogger = {
  warn: (details, message) => console.warn(`[store] ${message}`, details),
};
