import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { tempDir } from "../support/processes.ts";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");

// What an app developer gets from `npm run build`: `nimbus/client` as JavaScript with types, loaded by
// plain `node` (no tsx, no loader) from a project that depends on the package, ESM and CommonJS alike.
describe("the SDK as a package", () => {
  let api: ApiNode;
  let app: string;
  beforeAll(async () => {
    // Built here, so the test holds the current source to it (.ci/run builds too, before the tests).
    await run("npm", ["run", "build", "--silent"], { cwd: repo, timeout: 120_000 });
    // A consumer project: its node_modules/nimbus is this package, as `npm install <path>` links it.
    app = tempDir("sdk-consumer");
    mkdirSync(join(app, "node_modules"));
    symlinkSync(repo, join(app, "node_modules", "nimbus"), "dir");
    for (const f of ["chat.mjs", "chat.cjs", "chat-steps.cjs"]) {
      symlinkSync(join(repo, "test/fixtures/sdk-consumer", f), join(app, f));
    }
    api = await startApiNode({ backend: "sqlite" });
  }, 180_000);
  afterAll(async () => api?.close());

  it("declares exports conditions for import, require and types, pointing at built files", () => {
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
      exports: Record<string, { import: Record<string, string>; require: Record<string, string> }>;
    };
    const client = pkg.exports["./client"]!;
    for (const file of [client.import.types, client.import.default, client.require.types, client.require.default]) {
      expect(file).toMatch(/^\.\/dist\/client\/index\.(d\.ts|js|d\.cts|cjs)$/);
      expect(readFileSync(join(repo, file!), "utf8").length).toBeGreaterThan(1000);
    }
    expect(readFileSync(join(repo, client.import.types!), "utf8")).toMatch(/declare function connect\(/);
  });

  for (const [flavour, script] of [
    ["ESM", "chat.mjs"],
    ["CommonJS", "chat.cjs"],
  ] as const) {
    it(`imports the built SDK from plain node (${flavour}) and chats with a real node`, async () => {
      const users: Record<string, string> = {};
      for (const who of ["alice", "bob"]) {
        const accid = `${who}${flavour.length}${script.length}`;
        const res = (await api.call("user/create", { accid })) as unknown as { code: number; info: { token: string } };
        expect(res.code).toBe(200);
        users[who.toUpperCase()] = accid;
        users[`${who.toUpperCase()}_TOKEN`] = res.info.token;
      }
      // No --import tsx, no NODE_OPTIONS from this test runner: what `node app.mjs` does.
      const env: Record<string, string> = { PATH: process.env.PATH ?? "", NIMBUS_URL: api.url, NIMBUS_APP_KEY: api.appKey, ...users };
      const out = await run(process.execPath, [script], { cwd: app, env, timeout: 30_000, encoding: "utf8" });
      expect(out.stderr).toBe("");
      expect(JSON.parse(out.stdout)).toEqual({ seq: 1, type: 0, text: `hello from ${script === "chat.mjs" ? "esm" : "cjs"}`, textType: 0 });
    });
  }
});
