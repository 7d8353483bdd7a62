import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pino } from "pino";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { configSchema } from "../../src/config/schema.ts";
import { startNode, type NimbusNode } from "../../src/node.ts";
import { signedCall } from "../support/nim-api.ts";
import { findBinary, tempDir } from "../support/processes.ts";
import { uniqueName } from "../support/services.ts";
import { connect, type NimbusClient } from "nimbus/client";
import { next, until } from "../gateway/support.ts";

/** Where the screenshot is kept (CI keeps the folder as an artifact; docs/console.png is a copy). */
const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts");
const chromium = findBinary("chromium");
if (!chromium) {
  const why = "Debian's chromium is not installed (apt-get install chromium; .ci/run does)";
  if (process.env.CI === "true") throw new Error(`required browser missing under CI — ${why}`);
  console.warn(`\n*** SKIPPING the operator console browser test: ${why} ***\n`);
}

// The operator console in a real headless Chromium, against a real node with real devices.
describe.skipIf(!chromium)("operator console", () => {
  const appKey = uniqueName("app");
  const appSecret = randomBytes(16).toString("hex");
  const operatorToken = randomBytes(24).toString("hex");
  let node: NimbusNode;
  let url: string;
  let browser: Browser;
  let page: Page;
  const clients: NimbusClient[] = [];
  const call = (path: string, params: Record<string, string>) => signedCall({ url, appKey, appSecret }, path, params);
  const token = async (accid: string) => {
    const res = (await call("user/create", { accid, name: accid.toUpperCase() })) as unknown as { info: { token: string } };
    return res.info.token;
  };
  const device = async (accid: string, t: string, deviceId: string, clientType: "IOS" | "PC") => {
    const c = await connect({ url, appKey, accid, token: t, deviceId, clientType, reconnect: { enabled: false } });
    clients.push(c);
    return c;
  };
  const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? "");
  const rows = (table: string) => page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => tr.textContent ?? ""));

  beforeAll(async () => {
    const config = configSchema.parse({
      nodeId: uniqueName("node"),
      port: 0,
      dataDir: tempDir("console"),
      apps: [{ appKey, appSecret, limits: { requestsPerSecond: 100_000 } }],
      operator: { token: operatorToken },
    });
    node = await startNode(config, { log: pino({ level: process.env.NIMBUS_TEST_LOG ?? "silent" }) });
    url = `http://${node.address}`;
    browser = await puppeteer.launch({
      executablePath: chromium!,
      headless: true,
      // Root in a container has no user namespaces for Chromium's sandbox.
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1100 });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    await node?.stop();
  });

  it("refuses the console's API without the operator token, and with an app's secret", async () => {
    expect((await fetch(`${url}/console/api/overview`)).status).toBe(401);
    const withSecret = await fetch(`${url}/console/api/overview`, { headers: { authorization: `Bearer ${appSecret}` } });
    expect(withSecret.status).toBe(401);
    const ok = await fetch(`${url}/console/api/overview`, { headers: { authorization: `Bearer ${operatorToken}` } });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await ok.json())).not.toContain(appSecret);
  });

  it("refuses bad input to its actions with 400 or 404 naming what is wrong, and changes nothing", async () => {
    const post = (path: string, body: string) =>
      fetch(`${url}/console/api/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${operatorToken}`, "content-type": "application/json" },
        body,
      });
    await token("carol");
    const cases: [string, string, number, RegExp][] = [
      ["ban", "{}", 400, /^app: /],
      ["ban", JSON.stringify({ app: appKey }), 400, /^accid: /],
      ["ban", JSON.stringify({ app: appKey, accid: "bad accid!" }), 400, /^accid: not an account id/],
      ["ban", JSON.stringify({ app: "no-such-app", accid: "carol" }), 404, /^app: no app/],
      ["ban", JSON.stringify({ app: appKey, accid: "nobody" }), 404, /^accid: no account/],
      ["ban", "not json", 400, /JSON/i],
      ["ban", "null", 400, /./],
      ["kick", JSON.stringify({ app: appKey, accid: "carol", deviceId: "" }), 400, /^deviceId: /],
      ["kick", JSON.stringify({ app: "no-such-app", accid: "carol", deviceId: "d" }), 404, /^app: no app/],
    ];
    for (const [path, body, status, error] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${body}`).toBe(status);
      expect(((await res.json()) as { error: string }).error, `${path} ${body}`).toMatch(error);
    }
    const res = (await call("user/getUinfos", { accids: '["carol"]' })) as unknown as { uinfos: { valid: boolean }[] };
    expect(res.uinfos[0]!.valid).toBe(true);
    const lookup = await fetch(`${url}/console/api/user?app=${appKey}`, { headers: { authorization: `Bearer ${operatorToken}` } });
    expect(lookup.status).toBe(400);
  });

  it("shows apps, nodes, live conversations, the message rate and a user; kicks one device, bans and unbans", async () => {
    const [alice, bob] = [await token("alice"), await token("bob")];
    const phone = await device("alice", alice, "phone", "IOS");
    const laptop = await device("alice", alice, "laptop", "PC");
    const bobs = await device("bob", bob, "desk", "PC");
    for (let i = 0; i < 3; i++) await phone.sendText("bob", `hi ${i}`);
    await bobs.sendText("alice", "hello");

    await page.goto(`${url}/console`);
    await page.waitForSelector("#login-form", { visible: true });
    await page.type("#token", "not-the-token");
    await page.click("#login-form button[type=submit]");
    await page.waitForFunction(`document.getElementById("login-error").textContent !== ""`);
    expect(await text("#login-error")).toMatch(/not accepted/);

    await page.type("#token", operatorToken);
    await page.click("#login-form button[type=submit]");
    await page.waitForFunction(
      `[...document.querySelectorAll("#nodes tbody tr")].some((tr) => tr.textContent.includes(${JSON.stringify(node.nodeId)}))`,
    );
    expect(page.url()).toBe(`${url}/console`); // the token never travels in a URL
    expect(await rows("apps")).toEqual([`${appKey}free`]);
    // One node: its row's cells.
    const nodeCells = await page.$$eval("#nodes tbody td", (tds) => tds.map((td) => td.textContent));
    expect(nodeCells.slice(0, 5)).toEqual([node.nodeId, node.address, "3", "2", "3"]);
    expect(await rows("conversations")).toContainEqual(`session${appKey}alice|bob2${node.nodeId}`);
    // The rate chart (Chart.js) has points: the node's samples, and its count as of now.
    await page.waitForFunction(`(window.nimbusConsole?.chart.data.datasets[0]?.data.length ?? 0) >= 1`);

    await page.select("#lookup-app", appKey);
    await page.type("#lookup-accid", "alice");
    await page.click("#lookup-form button[type=submit]");
    await page.waitForFunction(`document.querySelectorAll("#devices tbody tr button.kick").length === 2`);
    expect(await text("#user-title")).toBe(`alice (${appKey})`);
    expect(await text("#profile")).toContain("ALICE");
    expect((await rows("devices")).map((r) => r.slice(0, r.indexOf(r.includes("IOS") ? "IOS" : "PC")))).toEqual(
      expect.arrayContaining(["phone", "laptop"]),
    );
    expect(await rows("user-conversations")).toContainEqual(expect.stringMatching(/^bob41/));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "console.png"), fullPage: true });

    // Kick the phone only: it is told so (reason 5, by the server); the laptop stays.
    const kicked = next(phone, "kicked", 5000);
    await page.click('#devices button.kick[data-device-id="phone"]');
    expect((await kicked).reason).toBe(5);
    await page.waitForFunction(`document.querySelectorAll("#devices tbody tr button.kick").length === 1`);
    expect(laptop.state).toBe("connected");

    // Ban: the laptop goes too, and the account is blocked; unban lets it in again.
    const laptopKicked = next(laptop, "kicked", 5000);
    await page.click("#ban");
    await laptopKicked;
    await page.waitForFunction(`document.querySelector("#profile .badge-banned") !== null`);
    const blocked = (await call("user/getUinfos", { accids: '["alice"]' })) as unknown as { uinfos: { valid: boolean }[] };
    expect(blocked.uinfos[0]!.valid).toBe(false);
    await expect(
      connect({ url, appKey, accid: "alice", token: alice, deviceId: "phone", clientType: "IOS", reconnect: { enabled: false } }),
    ).rejects.toMatchObject({
      code: 422,
    });
    await page.waitForSelector("#unban", { visible: true });
    await page.click("#unban");
    await until(
      async () => {
        const res = (await call("user/getUinfos", { accids: '["alice"]' })) as unknown as { uinfos: { valid: boolean }[] };
        return res.uinfos[0]!.valid;
      },
      5000,
      "the unban",
    );
    await page.waitForFunction(`document.querySelector("#profile .badge-banned") === null`);
    clients.push(await device("alice", alice, "phone", "IOS"));
  });
});
