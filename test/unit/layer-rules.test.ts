import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const planted: string[] = [];

/** Runs the project's layer check (`npm run lint:layers`) and answers its exit code and output. */
async function cruise(): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run("npx", ["depcruise", "src", "actors", "--config", ".dependency-cruiser.cjs"], { cwd: root });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

/** Writes a throwaway module at `dir/zz-layer-probe-<n>.ts` that imports `target`. */
function plant(dir: string, target: string): void {
  const file = join(root, dir, `zz-layer-probe-${planted.length}.ts`);
  writeFileSync(file, `import ${JSON.stringify(target)};\n`);
  planted.push(file);
}

afterEach(() => {
  for (const f of planted.splice(0)) rmSync(f, { force: true });
});

// The rules are code, not hope: the tree passes them, and each rule named in the layering fails a
// planted import that breaks it (so a rule that stopped matching anything would be caught here).
describe("layer rules (.dependency-cruiser.cjs)", () => {
  it("the tree as it stands has no violation", async () => {
    const { code, out } = await cruise();
    expect(out).toContain("no dependency violations");
    expect(code).toBe(0);
  }, 60_000);

  it("fails on imports upward from the base layers, between messaging and actors, of the SDK, and of edges by actors", async () => {
    plant("src/protocol", "../runtime/mod.ts");
    plant("src/runtime", "../messaging/mod.ts");
    plant("src/store", "../../actors/mod.ts");
    plant("src/bus", "../gateway/mod.ts");
    plant("src/messaging", "../../actors/mod.ts");
    plant("actors/user", "../../src/messaging/mod.ts");
    plant("src/messaging", "../client/mod.ts");
    plant("actors/p2p", "../../src/gateway/mod.ts");
    plant("actors/p2p", "../../src/http/server.ts");
    const { code, out } = await cruise();
    expect(code).not.toBe(0);
    for (const rule of [
      "protocol-is-the-bottom",
      "base-layers-point-down",
      "messaging-does-not-know-actors",
      "actors-do-not-know-services-or-edges",
      "nothing-imports-the-sdk",
    ]) {
      expect(out).toContain(rule);
    }
    // Every planted import is caught, whichever rules name it.
    for (const file of planted) expect(out).toContain(file.slice(root.length + 1));
  }, 60_000);
});
