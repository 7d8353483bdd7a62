import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";

// The README sends newcomers to these scripts: they must keep working against a real node.
describe("README examples", () => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
  });
  afterAll(async () => api.close());

  it("examples/two-devices.ts logs one account in on two devices and sees both online", async () => {
    // Asynchronously: the node answering the script runs in this very process.
    const res = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/two-devices.ts"], {
      env: { ...process.env, NIMBUS_URL: api.url, NIMBUS_APP_KEY: api.appKey, NIMBUS_APP_SECRET: api.appSecret },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(res.stderr).toBe("");
    expect(res.stdout).toMatch(/laptop online on node/);
    expect(res.stdout).toMatch(/phone online on node/);
    // NIM's client type numbers: 4 PC, 2 IOS.
    expect(res.stdout).toMatch(/^online: (4, 2|2, 4)$/m);
    expect(res.stdout).toMatch(/both logged out/);
  });

  it("examples/chat.ts: two people chat, one goes offline and catches up in order", async () => {
    const res = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/chat.ts"], {
      env: { ...process.env, NIMBUS_URL: api.url, NIMBUS_APP_KEY: api.appKey, NIMBUS_APP_SECRET: api.appSecret },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(res.stderr).toBe("");
    const out = res.stdout;
    expect(out).toMatch(/^bob\w+ <- #1 alice\w+: Hi Bob!$/m);
    expect(out).toMatch(/^alice\w+ <- #2 bob\w+: Hi Alice/m);
    expect(out).toMatch(/^bob\w+ went offline at #2$/m);
    // What Bob missed arrives after he is back, in order, once each.
    const caughtUp = out.slice(out.indexOf("went offline"));
    const missed = [...caughtUp.matchAll(/^bob\w+ <- #(\d+) alice\w+: (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(missed).toEqual(["3 Have a good flight", "4 Call me when you land", "5 Bring snacks"]);
    expect(out).toMatch(/caught up: 3 unread/);
    expect(out).toMatch(/^alice\w+: bob\w+ has read up to #1$/m);
    expect(out).toMatch(/^alice\w+: bob\w+ has read up to #5$/m);
    expect(out).toMatch(/^done$/m);
  });

  it("examples/live-room.ts: a host, a manager and viewers in a live room, using the queue", async () => {
    const res = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/live-room.ts"], {
      env: { ...process.env, NIMBUS_URL: api.url, NIMBUS_APP_KEY: api.appKey, NIMBUS_APP_SECRET: api.appSecret },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(res.stderr).toBe("");
    const out = res.stdout;
    expect(out).toMatch(/^host\w+ entered as CREATOR$/m);
    expect(out).toMatch(/^mod\w+ entered as MANAGER$/m);
    expect(out).toMatch(/^host sees ann: hello from ann!$/m);
    expect(out).toMatch(/^mic order: ann, bob$/m);
    expect(out).toMatch(/^the mic goes to ann$/m);
    expect(out).toMatch(/^bob is told: notification 314 by mod\w+ for bob\w+$/m);
    expect(out).toMatch(/^bob's message refused: 13004$/m);
    expect(out).toMatch(/^queue: transientRemoved bob\w+/m);
    expect(out).toMatch(/^queue now: \[\]$/m);
    expect(out).toMatch(/^history: hello from ann!$/m);
    expect(out).toMatch(/^done$/m);
  });
});
