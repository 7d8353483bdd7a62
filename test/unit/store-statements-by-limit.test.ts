import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StatementsByLimit } from "../../src/store/sqlite-limit.ts";
import { tempDir } from "../support/processes.ts";

describe("StatementsByLimit", () => {
  const open: Database.Database[] = [];
  afterEach(() => open.splice(0).forEach((db) => db.close()));

  function statements(): StatementsByLimit<[number], { n: number }> {
    const db = new Database(join(tempDir("limit"), "t.sqlite"));
    open.push(db);
    db.exec("CREATE TABLE t (n INTEGER NOT NULL); INSERT INTO t (n) VALUES (1), (2), (3), (4), (5);");
    return new StatementsByLimit(db, (limit) => `SELECT n FROM t WHERE n >= ? ORDER BY n LIMIT ${limit}`);
  }

  it("writes the limit into the statement and keeps one statement per limit", () => {
    const byLimit = statements();
    const two = byLimit.with(2);
    expect(two.source).toMatch(/LIMIT 2$/);
    expect(two.all(2)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(byLimit.with(2)).toBe(two);
    expect(byLimit.with(1).all(4)).toEqual([{ n: 4 }]);
    expect(byLimit.with(10).all(1)).toHaveLength(5);
  });

  it("refuses a limit that is not a positive safe integer, since it is written into SQL", () => {
    const byLimit = statements();
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => byLimit.with(bad), String(bad)).toThrow(RangeError);
    }
  });

  it("keeps at most 32 limits, dropping the least recently used", () => {
    const byLimit = statements();
    const first = byLimit.with(1);
    const second = byLimit.with(2);
    for (let limit = 3; limit <= 32; limit++) byLimit.with(limit);
    expect(byLimit.with(1)).toBe(first); // used again: now the most recent
    byLimit.with(33); // one over: drops 2, the least recently used
    expect(byLimit.with(1)).toBe(first);
    const again = byLimit.with(2);
    expect(again).not.toBe(second);
    expect(again.all(1)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
