import { NimbusError } from "../../src/protocol/errors.ts";
import type { Account } from "./account.ts";

/** NIM's relationType: 1 blacklist, 2 mute list (静音: no push from them). */
export type RelationType = 1 | 2;

/** Used when the caller does not pass the app's limit. */
export const DEFAULT_MAX_RELATIONS = 3000;

const LIST: Record<RelationType, "blacklist" | "mutelist"> = { 1: "blacklist", 2: "mutelist" };

/**
 * The account with `target` added to (value 1) or removed from (value 0) one list. Adding an entry
 * already there and removing one that is not are successes that change nothing, as NIM's
 * idempotent set semantics go; only growth past `max` is refused (419).
 */
export function withRelation(account: Account, type: RelationType, target: string, value: 0 | 1, max: number): Account {
  const key = LIST[type];
  const list = account[key];
  const present = list.includes(target);
  if (value === 1) {
    if (present) return account;
    if (list.length >= max) throw new NimbusError("QUANTITY_LIMIT", `${key} is full: at most ${max} accounts`);
    return { ...account, [key]: [...list, target] };
  }
  if (!present) return account;
  return { ...account, [key]: list.filter((a) => a !== target) };
}
