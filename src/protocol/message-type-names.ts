/** Names NIM's data sync, callbacks and session list use for message types (`msgType`). */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "TEXT",
  1: "PICTURE",
  2: "AUDIO",
  3: "VIDEO",
  4: "LOCATION",
  5: "NOTIFICATION",
  6: "FILE",
  10: "TIPS",
  11: "ROBOT",
  100: "CUSTOM",
};

/** NIM's name for a message type; the number as a string for one NIM has no name for. */
export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? String(type);
}
