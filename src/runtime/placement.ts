/**
 * Rendezvous (highest-random-weight) hashing: each address goes to the member with the highest
 * hash(member, address). When a member leaves, only its actors move; when one joins, it takes
 * about 1/N of everyone's, and nobody needs to agree on a ring.
 */

/** cyrb53: a fast 53-bit string hash with good mixing; not for security. */
function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The member that owns `address`; members must be non-empty. Ties (never in practice) go to the smaller id. */
export function ownerOf(address: string, members: readonly string[]): string {
  let best: string | undefined;
  let bestScore = -1;
  const base = hash53(address, 0);
  for (const m of members) {
    const score = hash53(m, base);
    if (score > bestScore || (score === bestScore && best !== undefined && m < best)) {
      best = m;
      bestScore = score;
    }
  }
  if (best === undefined) throw new Error("placement needs at least one member");
  return best;
}
