import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { nimEndpoints } from "../../src/http/nim/catalog.ts";
import type { NimEndpoint } from "../../src/http/nim/endpoint.ts";
import { startApiNode, type ApiNode, type NimResponse } from "../support/nim-api.ts";
import { casesFor, formBody, SPECIAL_NAMES, type ParamSchema, type SweepCase, type SweepValue } from "../support/sweep-cases.ts";
import { sweepFixture, type SweepFixture } from "../support/sweep-examples.ts";

/**
 * The standing bad-input sweep (issue 14): every parameter of every endpoint the node serves,
 * spoiled one at a time in an otherwise valid request — missing, empty, one past its limit, 1 MB,
 * the wrong type, out of its enum, malformed JSON, NUL, bytes and escapes that are not UTF-8,
 * `__proto__` / `constructor` keys, deep nesting, text of any kind (support/sweep-cases.ts).
 * Endpoints come from the catalogue and parameters from the zod schemas that validate them, so
 * an endpoint added later is swept without a line here (and fails until it has a valid example
 * in support/sweep-examples.ts).
 *
 * The oracle is the endpoint's own schema, run here: a value it refuses, and any value that is not
 * UTF-8, must be refused by the node with a 4xx whose desc starts with the parameter's name, and
 * the store must not change (counts and versions of every table but the request nonces). A value
 * it accepts must still never get a 5xx, and when the node answers 200, the module's read-backs
 * must answer 200 too: what was accepted must stay readable.
 */

/**
 * Cases known to fail because of a defect being fixed elsewhere. Each runs on its own as an
 * expected failure (`it.fails`), so the sweep stays green and says what is still wrong; an entry
 * whose case starts passing fails the sweep, and is deleted with its fix.
 */
const KNOWN_DEFECTS: { defect: number; endpoint: string; param: string; case: string }[] = [
  // Empty: issue 14's defects 1–3 (a __proto__ or deeply nested body, a non-JSON notification
  // option) were listed here until their fixes landed. A case listed here runs as an expected failure.
];

const FINGERPRINT_SQL = `SELECT
  (SELECT count(*) || ':' || ifnull(sum(version), 0) FROM snapshots) || '|' ||
  (SELECT count(*) || ':' || ifnull(sum(flags), 0) || ':' || ifnull(sum(msgid), 0) FROM journal) || '|' ||
  (SELECT count(*) || ':' || ifnull(sum(attempts), 0) FROM outbox) || '|' ||
  (SELECT ifnull(sum(last), 0) FROM sequences)`;

/**
 * A failure of the server, not a refusal: 5xx, and NIM's pack errors (998, 999). NIM's team codes
 * (801–815: not a member, no permission, team full…) are refusals of a request the schema cannot
 * judge (whether an account is in a team), like a 404.
 */
// 5xx, and NIM's 9xx (998 unpack error, 999 configuration error); NIM's feature codes above them
// (signalling's 10404 for a room an earlier case closed, chat rooms' 13002) are refusals like 4xx.
const isServerFailure = (code: number) => (code >= 500 && code < 600) || (code >= 900 && code < 1000);

const nameOf = (ep: NimEndpoint) => `${ep.module}/${ep.action}`;
const isKnown = (endpoint: string, param: string, c: string) =>
  KNOWN_DEFECTS.some((d) => d.endpoint === endpoint && d.param === param && d.case === c);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface PlannedCase {
  param: string;
  case: SweepCase;
  /** The request: the example with this parameter spoiled, as a list so `__proto__` is a plain name. */
  entries: [string, SweepValue][];
  mustRefuse: boolean;
}

/** What the endpoint's own schema says of the request; a schema that throws refuses too. */
function schemaRefuses(ep: NimEndpoint, entries: readonly [string, SweepValue][]): boolean {
  const input: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of entries) {
    if (v.kind === "raw") return true; // not UTF-8: refused before any schema runs
    if (v.kind === "text") input[k] = v.text;
  }
  try {
    return !ep.params.safeParse(input).success;
  } catch {
    return true;
  }
}

/** Every case of one endpoint, each parameter spoiled in turn, plus unknown parameters with special names. */
function plan(ep: NimEndpoint, example: Record<string, string>): PlannedCase[] {
  const schema = z.toJSONSchema(ep.params, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, ParamSchema>;
    required?: string[];
  };
  const exampleEntries = Object.entries(example).map(([k, v]): [string, SweepValue] => [k, { kind: "text", text: v }]);
  const out: PlannedCase[] = [];
  const spoil = (param: string, c: SweepCase) => {
    const entries = exampleEntries.filter(([k]) => k !== param);
    entries.push([param, c.value]);
    out.push({ param, case: c, entries, mustRefuse: schemaRefuses(ep, entries) });
  };
  for (const [param, prop] of Object.entries(schema.properties ?? {})) {
    const required = schema.required?.includes(param) ?? false;
    for (const c of casesFor(nameOf(ep), param, prop, example[param], required)) spoil(param, c);
  }
  for (const name of SPECIAL_NAMES) spoil(name, { name: "unknown parameter", value: { kind: "text", text: "x" } });
  return out;
}

describe("bad-input sweep: every parameter of every endpoint, against a real node", () => {
  let api: ApiNode;
  let db: Database.Database;

  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
    const { dataDir, store } = api.node.config;
    db = new Database(join(dataDir, store.sqliteFile), { readonly: true, fileMustExist: true });
  });
  afterAll(async () => {
    db?.close();
    await api?.close();
  });

  const fingerprint = () => db.prepare(FINGERPRINT_SQL).pluck().get() as string;

  /** Waits until the store stops changing: an accepted request may still be writing after its answer. */
  async function settled(): Promise<void> {
    let last = fingerprint();
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 30));
      const now = fingerprint();
      if (now === last) return;
      last = now;
    }
    throw new Error("the store kept changing for 3 s");
  }

  async function send(ep: NimEndpoint, entries: readonly [string, SweepValue][]): Promise<NimResponse | string> {
    try {
      return await api.post(nameOf(ep), formBody(entries));
    } catch (err) {
      return `no NIM answer: ${String(err)}`;
    }
  }

  /** Runs the cases; answers one line per failed assertion (empty when all held). */
  async function sweep(ep: NimEndpoint, fixture: SweepFixture, cases: readonly PlannedCase[]): Promise<string[]> {
    const failures: string[] = [];
    const label = (c: PlannedCase) => `${nameOf(ep)} ${c.param} [${c.case.name}]`;
    await settled();
    // Refusals first, with nothing accepted in between: each must leave the store as it was.
    for (const c of cases.filter((k) => k.mustRefuse)) {
      const before = fingerprint();
      const res = await send(ep, c.entries);
      if (typeof res === "string") failures.push(`${label(c)}: ${res}`);
      else if (res.code < 400 || isServerFailure(res.code))
        failures.push(`${label(c)}: must be refused with a 4xx, answered ${JSON.stringify(res)}`);
      else if (!new RegExp(`^${escapeRegExp(c.param)}[:. ]`).test(res.desc ?? "")) {
        failures.push(`${label(c)}: desc must name ${c.param}, answered ${JSON.stringify(res)}`);
      }
      const after = fingerprint();
      if (after !== before) {
        failures.push(`${label(c)}: a refused request changed the store (${before} -> ${after})`);
        await settled();
      }
    }
    // Values the schema accepts: never a 5xx, and what was accepted stays readable. Once it does
    // not, the endpoint's data is spoiled for every later case: that one failure is the finding.
    for (const c of cases.filter((k) => !k.mustRefuse)) {
      const res = await send(ep, c.entries);
      if (typeof res === "string") failures.push(`${label(c)}: ${res}`);
      else if (isServerFailure(res.code)) failures.push(`${label(c)}: accepted by the schema, answered ${JSON.stringify(res)}`);
      else if (res.code === 200) {
        for (const r of fixture.readBacks[ep.module] ?? []) {
          const back = await api.call(r.path, r.params);
          if (back.code !== 200) failures.push(`${label(c)}: then ${r.path} answered ${JSON.stringify(back)}`);
        }
        if (failures.some((f) => f.startsWith(`${label(c)}: then `))) {
          failures.push(`${nameOf(ep)}: later accepted cases not run, its data no longer reads`);
          break;
        }
      }
    }
    return failures;
  }

  /** A fixture of the endpoint's own, and its example, checked to answer 200 before it is spoiled. */
  async function prepared(ep: NimEndpoint, tag: string): Promise<{ fixture: SweepFixture; example: Record<string, string> }> {
    const fixture = await sweepFixture(api, tag);
    const example = fixture.examples[nameOf(ep)]?.params;
    if (!example) throw new Error(`${nameOf(ep)} needs a valid example in test/support/sweep-examples.ts`);
    expect(await api.call(nameOf(ep), example), `${nameOf(ep)}: its example must answer 200`).toMatchObject({ code: 200 });
    return { fixture, example };
  }

  it("covers every endpoint the node serves, each with a valid example that answers 200", async () => {
    const doc = (await (await fetch(`${api.url}/nimserver/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const served = Object.keys(doc.paths).map((p) => p.replace(/^\/nimserver\/(.*)\.action$/, "$1"));
    expect(served.sort()).toEqual(nimEndpoints.map(nameOf).sort());
    const fixture = await sweepFixture(api, "all");
    expect(nimEndpoints.map(nameOf).filter((n) => !fixture.examples[n])).toEqual([]);
    const before = fingerprint();
    for (const ep of nimEndpoints) {
      const { params } = fixture.examples[nameOf(ep)]!;
      expect(ep.params.safeParse(params).success, `${nameOf(ep)}: its example must pass its schema`).toBe(true);
      expect(await api.call(nameOf(ep), params), `${nameOf(ep)}: its example must answer 200`).toMatchObject({ code: 200 });
    }
    // The fingerprint sees what requests write, so "unchanged" after a refusal means something.
    await settled();
    expect(fingerprint()).not.toBe(before);
    // Every known defect names one real case, so an expected failure cannot come from a typo.
    for (const d of KNOWN_DEFECTS) {
      const ep = nimEndpoints.find((e) => nameOf(e) === d.endpoint);
      expect(ep, d.endpoint).toBeDefined();
      const matching = plan(ep!, fixture.examples[d.endpoint]!.params).filter((c) => c.param === d.param && c.case.name === d.case);
      expect(matching, `${d.endpoint} ${d.param} [${d.case}]`).toHaveLength(1);
    }
  });

  nimEndpoints.forEach((ep, i) => {
    it(`${nameOf(ep)}: every parameter spoiled in turn is refused naming it, or accepted harmlessly`, { timeout: 120_000 }, async () => {
      const { fixture, example } = await prepared(ep, `t${i}`);
      const cases = plan(ep, example).filter((c) => !isKnown(nameOf(ep), c.param, c.case.name));
      expect(await sweep(ep, fixture, cases)).toEqual([]);
    });
  });

  KNOWN_DEFECTS.forEach((d, i) => {
    it.fails(`known defect ${d.defect} (issue 14): ${d.endpoint} ${d.param} [${d.case}]`, async () => {
      const ep = nimEndpoints.find((e) => nameOf(e) === d.endpoint)!;
      const { fixture, example } = await prepared(ep, `k${i}`);
      const cases = plan(ep, example).filter((c) => c.param === d.param && c.case.name === d.case);
      expect(cases).toHaveLength(1);
      expect(await sweep(ep, fixture, cases)).toEqual([]);
    });
  });
});
