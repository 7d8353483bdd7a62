import { parse as parseContentType } from "content-type";
import { NimbusError } from "../../protocol/errors.ts";

/**
 * NIM v1 parameters: `application/x-www-form-urlencoded;charset=utf-8` in the body and nowhere
 * else (both official server SDKs, Java and Go, send every v1 call so; JSON is only their v2 API).
 *
 * Decoding is strict, where a browser's form decoder is lenient: a bad `%` escape or bytes that are
 * not UTF-8 would otherwise be kept as literal text (`a%ED%A0%80b` stored as typed) or turned into
 * U+FFFD — either way a value the caller never meant is stored. Such a value is refused with 414
 * naming its parameter.
 */

export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

/** Parameters by name; null-prototype, so a parameter named `__proto__` is just a key. */
export type FormParams = Record<string, string>;

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** What clients call UTF-8 in a charset parameter ("utf8" is common enough to take). */
const UTF8_NAMES = ["utf-8", "utf8"];
const AMPERSAND = 0x26;
const EQUALS = 0x3d;

/** The Content-Type must be the form type, with no charset or charset utf-8. */
export function checkFormContentType(header: string | undefined): void {
  // Only asked when there is a body: a request without one has no parameters, and says which are missing.
  if (header === undefined) throw new NimbusError("PARAM_ERROR", `Content-Type: missing: parameters are sent as ${FORM_CONTENT_TYPE}`);
  let parsed: ReturnType<typeof parseContentType>;
  try {
    parsed = parseContentType(header);
  } catch {
    throw new NimbusError("PARAM_ERROR", `Content-Type: cannot be parsed: must be ${FORM_CONTENT_TYPE};charset=utf-8`);
  }
  if (parsed.type !== FORM_CONTENT_TYPE) {
    throw new NimbusError("PARAM_ERROR", `Content-Type: ${parsed.type} is not accepted: parameters are sent as ${FORM_CONTENT_TYPE}`);
  }
  const charset = parsed.parameters.charset;
  if (charset !== undefined && !UTF8_NAMES.includes(charset.toLowerCase())) {
    throw new NimbusError("PARAM_ERROR", `Content-Type: charset ${charset} is not accepted: only utf-8`);
  }
}

/** Splits a byte string at every `separator` byte (ASCII, so never inside a UTF-8 sequence). */
function split(bytes: Buffer, separator: number): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(separator); i !== -1; i = bytes.indexOf(separator, start)) {
    parts.push(bytes.subarray(start, i));
    start = i + 1;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

/** One name or value: raw bytes must be UTF-8, `+` is a space, `%XX` escapes must decode to UTF-8. */
function decodeComponent(bytes: Buffer): string | null {
  try {
    return decodeURIComponent(utf8.decode(bytes).replaceAll("+", " "));
  } catch {
    return null; // TypeError from the decoder, URIError from a bad or non-UTF-8 escape
  }
}

/** A name that could not be decoded, shown as the caller sent it (bounded, control bytes escaped). */
function shown(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 64).toString("latin1"));
}

/** Parses a form body (or a query string) strictly; a repeated name is refused too. */
export function parseForm(bytes: Buffer): FormParams {
  const out: FormParams = Object.create(null) as FormParams;
  for (const pair of split(bytes, AMPERSAND)) {
    if (pair.length === 0) continue;
    const at = pair.indexOf(EQUALS);
    const rawName = at === -1 ? pair : pair.subarray(0, at);
    const name = decodeComponent(rawName);
    if (name === null) throw new NimbusError("PARAM_ERROR", `parameter name ${shown(rawName)}: not valid percent-encoded UTF-8`);
    const value = at === -1 ? "" : decodeComponent(pair.subarray(at + 1));
    if (value === null) throw new NimbusError("PARAM_ERROR", `${name}: not valid percent-encoded UTF-8`);
    if (name in out) throw new NimbusError("PARAM_ERROR", `${name}: must be given once, as a string`);
    out[name] = value;
  }
  return out;
}

/**
 * Refuses a query string that carries a parameter: NIM reads the form body only, and merging the
 * two would let a URL (logged, cached, rewritten by proxies) carry or override a parameter.
 */
export function refuseQueryParams(url: string): void {
  const at = url.indexOf("?");
  if (at === -1) return;
  const first = split(Buffer.from(url.slice(at + 1), "latin1"), AMPERSAND).find((pair) => pair.length > 0);
  if (first === undefined) return;
  const eq = first.indexOf(EQUALS);
  const rawName = eq === -1 ? first : first.subarray(0, eq);
  const name = decodeComponent(rawName) ?? shown(rawName);
  throw new NimbusError("PARAM_ERROR", `${name}: parameters go in the form body, not the query string`);
}
