/**
 * What NIM accepts as an account id: at most 32 of letters, digits and `_ @ . -`. Ids are compared
 * and stored lower-cased. The one definition: the REST parameters, the gateway's schemas and the
 * conversation ids all read it from here.
 */
export const ACCID_PATTERN = /^[a-zA-Z0-9_@.-]{1,32}$/;

/** The longest account id NIM accepts. */
export const ACCID_MAX = 32;

export function isAccid(s: unknown): s is string {
  return typeof s === "string" && ACCID_PATTERN.test(s);
}

/** An account id as Nimbus stores and compares it: lower-cased. Conversation ids are made of these. */
export const STORED_ACCID_PATTERN = /^[a-z0-9_@.-]{1,32}$/;

export function isStoredAccid(s: unknown): s is string {
  return typeof s === "string" && STORED_ACCID_PATTERN.test(s);
}
