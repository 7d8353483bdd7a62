import { describe, it, expect } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { findBinary } from "../support/processes.ts";

const run = promisify(execFile);
const LOG_ONE_LINE = `import("./src/util/log.ts").then((m) => m.createLogger("info", { node: "n1" }).info({ accid: "amy" }, "login"))`;
const script = findBinary("script");

// The node's log is JSON for machines (stdout piped to a collector) and readable on a terminal.
describe("log format", () => {
  it("writes JSON lines when stdout is not a terminal", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "-e", LOG_ONE_LINE], {
      encoding: "utf8",
      env: { ...process.env, NIMBUS_LOG_FORMAT: "" },
    });
    expect(JSON.parse(stdout)).toMatchObject({ level: 30, node: "n1", accid: "amy", msg: "login" });
  });

  it("writes readable lines (pino-pretty) when NIMBUS_LOG_FORMAT=pretty", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "-e", LOG_ONE_LINE], {
      encoding: "utf8",
      env: { ...process.env, NIMBUS_LOG_FORMAT: "pretty" },
    });
    expect(() => JSON.parse(stdout)).toThrow();
    expect(stdout).toMatch(/INFO.*login/);
    expect(stdout).toMatch(/accid.*"amy"/);
  });

  // util-linux `script` runs the command on a pseudo-terminal, as a developer's shell would.
  it.skipIf(!script)("writes readable lines when stdout is a terminal", async () => {
    const command = `${JSON.stringify(process.execPath)} --import tsx -e '${LOG_ONE_LINE}'`;
    const { stdout } = await run(script!, ["-qec", command, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, NIMBUS_LOG_FORMAT: "" },
    });
    expect(stdout).toMatch(/INFO.*login/);
    expect(stdout).not.toMatch(/"level":30/);
  });
});
