import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatroomHandle } from "nimbus/client";
import { startGatewayNode, until, type GatewayNode } from "../gateway/support.ts";
import { createRoom, enter, restSend } from "../gateway/chatroom-support.ts";
import { AppServer } from "../support/app-server.ts";

/**
 * Chat room data sync against a real app server: eventType 4 (a message), 9 (a member in and
 * out) and 14 (a queue change), with NIM's string fields and a valid signature.
 */
describe("chat room data sync", () => {
  let app: AppServer;
  let gw: GatewayNode;
  const appKey = `crsync${randomBytes(3).toString("hex")}`;
  const appSecret = randomBytes(16).toString("hex");
  const tokens: Record<string, string> = {};
  const handles: ChatroomHandle[] = [];

  beforeAll(async () => {
    app = new AppServer();
    await app.start();
    app.secrets.set(appKey, appSecret);
    gw = await startGatewayNode({}, { app: { appKey, appSecret }, hooks: { dataSync: { url: app.url("/sync") } } });
    for (const a of ["host", "fan"]) tokens[a] = await gw.createAccount(a);
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.leave().catch(() => undefined)));
    await gw?.close();
    await app?.stop();
  });

  const synced = (eventType: string) => app.events("/sync", eventType).filter((r) => r.signed);

  it("tells every room message once (4): a member's and the server API's, never a resend", async () => {
    const roomid = await createRoom(gw, "host");
    const fan = await enter(gw, roomid, "fan", tokens.fan!, { nick: "Fanny" });
    handles.push(fan);
    const ack = await fan.send(0, "hello room", { ext: "e1", highPriority: true });
    await fan.send(0, "hello room", { clientMsgId: ack.message.clientMsgId });
    const rest = await restSend(gw, roomid, "host", "srv-1", "from the server");
    await until(() => synced("4").filter((r) => r.body.roomId === String(roomid)).length >= 2, 10_000, "two chat room messages synced");
    await new Promise((r) => setTimeout(r, 300));
    const mine = synced("4").filter((r) => r.body.roomId === String(roomid));
    expect(mine).toHaveLength(2);
    expect(mine[0]!.body).toEqual({
      eventType: "4",
      roomId: String(roomid),
      fromAccount: "fan",
      msgType: "TEXT",
      attach: "hello room",
      ext: "e1",
      fromNick: "Fanny",
      msgidClient: ack.message.clientMsgId,
      msgTimestamp: String(ack.message.time),
      fromClientType: "WEB",
      resendFlag: "0",
      eventId: expect.any(String),
    });
    expect(mine[1]!.body).toMatchObject({
      fromAccount: "host",
      attach: "from the server",
      msgidClient: "srv-1",
      msgTimestamp: String(rest.time),
    });
    for (const r of mine) for (const v of Object.values(r.body)) expect(typeof v).toBe("string");
  });

  it("tells a member's entry and exit (9), and queue changes (14) by members and the server API", async () => {
    const roomid = await createRoom(gw, "host");
    const host = await enter(gw, roomid, "host", tokens.host!);
    await host.queueOffer("mic1", "host-up");
    expect((await gw.call("chatroom/queueOffer", { roomid: String(roomid), key: "mic2", value: "guest" })).code).toBe(200);
    expect((await gw.call("chatroom/queuePoll", { roomid: String(roomid), key: "mic1" })).code).toBe(200);
    await host.leave();
    const inOut = () => synced("9").filter((r) => r.body.roomId === String(roomid));
    await until(() => inOut().length >= 2, 10_000, "in and out synced");
    expect(inOut().map((r) => [r.body.event, r.body.accid, r.body.roleType, r.body.anonymous])).toEqual([
      ["IN", "host", "1", "false"],
      ["OUT", "host", "1", "false"],
    ]);
    expect(inOut()[1]!.body.logOutReason).toBe("EXIT");
    const queue = () => synced("14").filter((r) => r.body.roomid === String(roomid));
    await until(() => queue().length >= 3, 10_000, "three queue changes synced");
    expect(queue().map((r) => [r.body.qEvent, r.body.fromWebApi, r.body.operator, r.body.elements])).toEqual([
      ["2", "false", "host", JSON.stringify({ mic1: "host-up" })],
      ["2", "true", "host", JSON.stringify({ mic2: "guest" })],
      ["5", "true", "host", JSON.stringify({ mic1: "host-up" })],
    ]);
  });
});
