import { InvalidSubjectError } from "./errors.ts";

/**
 * Subjects as NATS has them, so the local bus and the NATS bus accept and match exactly the same
 * names: dot-separated non-empty tokens without whitespace. A subscription pattern may use `*`
 * (exactly one token) and a trailing `>` (one or more tokens); wildcards count only as whole
 * tokens (`a*b` is a literal token). A published subject has no wildcards.
 */

const DOT = 46;
const STAR = 42;
const GT = 62;

/** Why `s` is not a valid subject (or pattern, with `wildcards`), or undefined when it is. */
function problem(s: string, wildcards: boolean): string | undefined {
  if (s.length === 0) return "empty";
  // One pass over the characters: this runs on every publish, so no split/regex allocation.
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : DOT;
    if (c === DOT) {
      const len = i - start;
      if (len === 0) return "empty token";
      if (len === 1) {
        const t = s.charCodeAt(start);
        if (t === STAR || t === GT) {
          if (!wildcards) return "wildcards are not allowed in a published subject";
          if (t === GT && i !== s.length) return "'>' must be the last token";
        }
      }
      start = i + 1;
    } else if (c <= 32 || c === 127) {
      return "whitespace or control character";
    }
  }
  return undefined;
}

export function isValidSubject(subject: string): boolean {
  return problem(subject, false) === undefined;
}

export function isValidPattern(pattern: string): boolean {
  return problem(pattern, true) === undefined;
}

/** Throws InvalidSubjectError unless `subject` can be published to. */
export function assertSubject(subject: string): void {
  const why = problem(subject, false);
  if (why !== undefined) throw new InvalidSubjectError(subject, why);
}

/** Throws InvalidSubjectError unless `pattern` can be subscribed to. */
export function assertPattern(pattern: string): void {
  const why = problem(pattern, true);
  if (why !== undefined) throw new InvalidSubjectError(pattern, why);
}

/** Throws InvalidSubjectError unless `queue` is a usable queue group name (non-empty, no whitespace). */
export function assertQueueName(queue: string): void {
  // eslint-disable-next-line no-control-regex
  if (!/^[^\x00-\x20\x7f]+$/.test(queue)) throw new InvalidSubjectError(queue, "not a valid queue group name");
}

/** True when a (valid) pattern has a `*` or `>` token. */
export function hasWildcard(pattern: string): boolean {
  if (pattern === "*" || pattern === ">") return true;
  return pattern.startsWith("*.") || pattern.endsWith(".*") || pattern.endsWith(".>") || pattern.includes(".*.");
}

/** Whether pattern tokens match subject tokens (`*` one token, trailing `>` one or more). */
export function matchTokens(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === ">") return subject.length > i;
    if (i >= subject.length) return false;
    if (p !== "*" && p !== subject[i]) return false;
  }
  return pattern.length === subject.length;
}

/** Whether a valid pattern matches a valid published subject. */
export function matches(pattern: string, subject: string): boolean {
  if (!hasWildcard(pattern)) return pattern === subject;
  return matchTokens(pattern.split("."), subject.split("."));
}

interface WildcardEntry<T> {
  readonly tokens: readonly string[];
  readonly value: T;
}

/**
 * Subscriptions by pattern. Exact patterns — the hot path, one `user.<app>.<accid>` per connected
 * user — sit in a Map and cost one lookup per publish however many there are. Wildcard patterns
 * are few (node-level routing), so a list scanned per publish is simpler than a trie and as fast.
 */
export class SubjectIndex<T> {
  private readonly exact = new Map<string, Set<T>>();
  private readonly wildcards: WildcardEntry<T>[] = [];

  /** Adds `value` under `pattern`; returns the function that removes it again (idempotent). */
  add(pattern: string, value: T): () => void {
    assertPattern(pattern);
    if (hasWildcard(pattern)) {
      const entry: WildcardEntry<T> = { tokens: pattern.split("."), value };
      this.wildcards.push(entry);
      return () => {
        const i = this.wildcards.indexOf(entry);
        if (i >= 0) this.wildcards.splice(i, 1);
      };
    }
    let set = this.exact.get(pattern);
    if (set === undefined) {
      set = new Set();
      this.exact.set(pattern, set);
    }
    set.add(value);
    return () => {
      const current = this.exact.get(pattern);
      if (current === undefined || !current.delete(value)) return;
      if (current.size === 0) this.exact.delete(pattern);
    };
  }

  /** Appends every value whose pattern matches `subject` (a valid published subject) to `out`. */
  match(subject: string, out: T[] = []): T[] {
    const set = this.exact.get(subject);
    if (set !== undefined) for (const v of set) out.push(v);
    if (this.wildcards.length > 0) {
      const tokens = subject.split(".");
      for (const w of this.wildcards) if (matchTokens(w.tokens, tokens)) out.push(w.value);
    }
    return out;
  }

  get size(): number {
    let n = this.wildcards.length;
    for (const set of this.exact.values()) n += set.size;
    return n;
  }
}
