import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUser } from "../support/users.ts";
import { AppServer, type AppServerRequest } from "../support/app-server.ts";
import { waitUntil } from "../support/actor-system.ts";
import { ok } from "../support/teams.ts";

/** Super team messages in NIM's data sync (eventType 1, convType SUPER_TEAM; recall 25) and callbacks (22). */
describe("super team hooks to a real app server [sqlite]", () => {
  let app: AppServer;
  let api: ApiNode;
  const called: AppServerRequest[] = [];

  beforeAll(async () => {
    app = new AppServer();
    app.answer = (r) => {
      if (r.path.startsWith("/cb")) {
        called.push(r);
        return { body: { errCode: 0 } };
      }
      return { status: 200, body: {} };
    };
    await app.start();
    api = await startApiNode({
      backend: "sqlite",
      app: { hooks: { callback: { url: app.url("/cb"), timeoutMs: 2000, onFailure: "allow" }, dataSync: { url: app.url("/sync") } } },
    });
    app.secrets.set(api.appKey, api.appSecret);
  });
  afterAll(async () => {
    await api?.close();
    await app?.stop();
  });

  it("a device's send is called back as eventType 22, synced as eventType 1 SUPER_TEAM; its recall as eventType 25", async () => {
    for (const u of ["sho", "shm"]) await createUser(api, u);
    const tid = String(
      (await ok(api, "superteam/create", { owner: "sho", inviteAccids: JSON.stringify(["shm"]), tname: "s", msg: "m", joinmode: "0" })).tid,
    );
    const conv = { kind: "superteam" as const, id: tid };
    const ack = await api.node.messaging.send(api.appKey, conv, {
      from: "shm",
      type: 0,
      body: { msg: "hello super" },
      fromClientType: "AOS",
      fromDeviceId: "shm-phone",
    });
    await ok(api, "superteam/recallMsg", { deleteMsgid: String(ack.msgid), timetag: String(ack.time), from: "shm", to: tid });
    await waitUntil(() => app.events("/sync").some((r) => r.body.eventType === "25"), 15_000, "the recall synced");

    const callback = called.find((r) => r.body.eventType === "22");
    expect(callback?.body).toMatchObject({ eventType: "22", convType: "SUPER_TEAM", to: tid, fromAccount: "shm", body: "hello super" });
    const synced = app.events("/sync").filter((r) => r.body.to === tid);
    const message = synced.find((r) => r.body.eventType === "1" && r.body.msgType === "TEXT");
    expect(message?.body).toMatchObject({
      eventType: "1",
      convType: "SUPER_TEAM",
      to: tid,
      fromAccount: "shm",
      body: "hello super",
      msgidServer: String(ack.msgid),
      msgidClient: ack.clientMsgId,
    });
    const recall = synced.find((r) => r.body.eventType === "25");
    expect(recall?.body).toMatchObject({ eventType: "25", msgId: String(ack.msgid), from: "shm", to: tid });
  });
});
