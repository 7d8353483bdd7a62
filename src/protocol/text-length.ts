/**
 * How Nimbus measures a length limit: NIM's limits are in characters, and a character here is one
 * Unicode code point — an emoji is one character, as a person counts it, not the two UTF-16 units
 * JavaScript's `length` (and Java's) counts. Why code points:
 * - it is what "characters" means to the people who type them: a 64-character nickname of emoji
 *   is not refused at 32;
 * - it is the same whatever the encoding (UTF-8 bytes and UTF-16 units differ; code points do
 *   not), and it is the unit of JSON Schema's `maxLength`, which the OpenAPI document publishes;
 * - it never refuses what a UTF-16 count would accept, so an app written against NIM is not
 *   refused here for a string NIM took. Storage stays bounded: a code point is at most 4 bytes.
 * Every length check — REST parameters (src/http/nim/params.ts), message validation
 * (src/messaging/validate.ts) and the gateway's messaging schemas — goes through `longerThan`.
 */

/** Code points in `s` (a lone surrogate counts as one). */
export function charCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Whether `s` has more than `max` characters; counts only when the UTF-16 length leaves it in doubt. */
export function longerThan(s: string, max: number): boolean {
  if (s.length <= max) return false; // a code point is one or two units
  if (s.length > 2 * max) return true;
  return charCount(s) > max;
}

/** The refusal's wording, the same everywhere: `<field>: too long: at most 128 characters`. */
export function tooLongProblem(max: number, what = ""): string {
  return `too long: at most ${max} characters${what}`;
}
