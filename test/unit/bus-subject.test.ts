import { describe, expect, it } from "vitest";
import {
  assertPattern,
  assertQueueName,
  assertSubject,
  isValidPattern,
  isValidSubject,
  matches,
  SubjectIndex,
} from "../../src/bus/subject.ts";
import { InvalidSubjectError } from "../../src/bus/errors.ts";

describe("subject validation", () => {
  it("accepts dot-separated non-empty tokens", () => {
    for (const s of ["a", "user.app1.alice", "team.app-1.1001", "x.a*b.c", "_INBOX.abc", "用户.名"]) {
      expect(isValidSubject(s), s).toBe(true);
      expect(isValidPattern(s), s).toBe(true);
    }
  });

  it("rejects empty tokens, whitespace and control characters", () => {
    for (const s of ["", ".", "a.", ".a", "a..b", "a b", "a\tb", "a\nb", "a\rb", "a\u0000b", "a\u007fb"]) {
      expect(isValidSubject(s), JSON.stringify(s)).toBe(false);
      expect(isValidPattern(s), JSON.stringify(s)).toBe(false);
    }
  });

  it("allows wildcards in patterns only, and `>` only last", () => {
    for (const p of ["*", ">", "a.*", "*.b", "a.*.c", "a.>", "*.*.>"]) {
      expect(isValidPattern(p), p).toBe(true);
      expect(isValidSubject(p), p).toBe(false);
    }
    for (const p of [">.a", "a.>.b", "a.>.>"]) expect(isValidPattern(p), p).toBe(false);
  });

  it("throws InvalidSubjectError with the reason", () => {
    expect(() => assertSubject("a.*")).toThrow(InvalidSubjectError);
    expect(() => assertSubject("a..b")).toThrow(/empty token/);
    expect(() => assertPattern("a.>.b")).toThrow(/last token/);
    expect(() => assertQueueName("")).toThrow(InvalidSubjectError);
    expect(() => assertQueueName("two words")).toThrow(InvalidSubjectError);
    expect(() => assertQueueName("workers.v1")).not.toThrow();
  });
});

describe("subject matching", () => {
  const cases: [string, string, boolean][] = [
    ["a.b.c", "a.b.c", true],
    ["a.b.c", "a.b", false],
    ["a.b", "a.b.c", false],
    ["a.*.c", "a.b.c", true],
    ["a.*.c", "a.b.d", false],
    ["a.*.c", "a.c", false],
    ["a.*", "a.b.c", false],
    ["*", "a", true],
    ["*", "a.b", false],
    ["a.>", "a.b", true],
    ["a.>", "a.b.c.d", true],
    ["a.>", "a", false],
    [">", "a", true],
    [">", "a.b.c", true],
    ["*.b.>", "x.b.y.z", true],
    ["*.b.>", "x.c.y", false],
    ["a*.b", "ab.b", false], // `a*` is a literal token
    ["a*.b", "a*.b", true],
  ];
  for (const [pattern, subject, want] of cases) {
    it(`${pattern} ${want ? "matches" : "does not match"} ${subject}`, () => {
      expect(matches(pattern, subject)).toBe(want);
    });
  }
});

describe("SubjectIndex", () => {
  it("finds exact and wildcard entries, and forgets removed ones", () => {
    const idx = new SubjectIndex<string>();
    const rmExact = idx.add("user.app.alice", "exact");
    idx.add("user.app.alice", "exact2");
    idx.add("user.app.*", "star");
    const rmTail = idx.add("user.>", "tail");
    idx.add("team.>", "team");
    expect(idx.match("user.app.alice").sort()).toEqual(["exact", "exact2", "star", "tail"]);
    expect(idx.match("user.app.bob").sort()).toEqual(["star", "tail"]);
    expect(idx.match("other")).toEqual([]);
    rmExact();
    rmExact(); // idempotent
    rmTail();
    expect(idx.match("user.app.alice").sort()).toEqual(["exact2", "star"]);
    expect(idx.size).toBe(3);
  });

  it("keeps many exact subscriptions cheap: one map entry each", () => {
    const idx = new SubjectIndex<number>();
    const removers = Array.from({ length: 10_000 }, (_, i) => idx.add(`user.app.u${i}`, i));
    expect(idx.match("user.app.u4242")).toEqual([4242]);
    for (const r of removers) r();
    expect(idx.size).toBe(0);
  });

  it("validates patterns on add", () => {
    expect(() => new SubjectIndex<number>().add("a..b", 1)).toThrow(InvalidSubjectError);
  });
});
