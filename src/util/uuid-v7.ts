/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix time in ms, big-endian, then version, variant and
 * 74 random bits. Ids made later sort later (as strings too), which is what an index that must
 * grow at its end wants; the random bits keep ids from different makers apart. Uses Web Crypto's
 * getRandomValues, so it runs in Node and in browsers alike.
 */
export function uuidV7(now = Date.now()): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  // Two 24-bit halves: bit operators work on 32 bits only.
  const high = Math.floor(now / 0x1000000);
  const low = now % 0x1000000;
  b[0] = (high >>> 16) & 0xff;
  b[1] = (high >>> 8) & 0xff;
  b[2] = high & 0xff;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let hex = "";
  for (const x of b) hex += HEX[x];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
