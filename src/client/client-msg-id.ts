/**
 * A fresh clientMsgId (NIM `msgidClient`): a random UUID. Random rather than a counter so that two
 * installations, or one reinstalled, can never collide within a conversation, where the server
 * would take the second for a resend of the first.
 */
export function newClientMsgId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  // Browsers outside a secure context have getRandomValues but no randomUUID.
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
