import { ChatroomService } from "../../src/chatrooms/service.ts";
import { createMessagingService } from "../../src/messaging/mod.ts";
import { LocalBus } from "../../src/bus/local.ts";
import { AppRegistry } from "../../src/apps/registry.ts";
import { describe, it, expect } from "vitest";
import { pino } from "pino";
import type { App } from "../../src/apps/registry.ts";
import type { ActorSystem } from "../../src/runtime/system.ts";
import type { NimContext } from "../../src/http/nim/endpoint.ts";
import type { OnlineDevice } from "../../src/contracts/presence.ts";
import { userEndpoints } from "../../src/http/nim/user.ts";
import { userAddress, type UserRecord } from "../../src/contracts/user.ts";

// The realtime link does not exist yet, so the HTTP suites only ever see offline accounts; here a
// fake presence shows how online devices are reported.
describe("user/userOnlineStatus with devices online", () => {
  const app = { appKey: "app1" } as App;
  const known = new Set(["alice", "bob"]);
  const system = {
    ask: async (address: string) => {
      const accid = address.split("/")[2]!;
      expect(address).toBe(userAddress("app1", accid));
      return known.has(accid) ? ({ accid } as UserRecord) : null;
    },
  } as unknown as ActorSystem;
  const devices: Record<string, OnlineDevice[]> = {
    alice: [
      { clientType: "IOS", loginTime: 1000, deviceId: "d1" },
      { clientType: "WEB", loginTime: 2000 },
    ],
  };
  const ctx: NimContext = {
    app,
    system,
    log: pino({ level: "silent" }),
    presence: { devicesOf: async (_app, accid) => devices[accid] ?? [] },
    messaging: createMessagingService({ system, bus: new LocalBus(), apps: new AppRegistry([]) }),
    chatrooms: new ChatroomService(system, system.journal, () => []),
  };
  const ep = userEndpoints.find((e) => e.module === "user" && e.action === "userOnlineStatus")!;

  it("lists each device's loginTime and clientType, and nothing else", async () => {
    const params = ep.params.parse({ accids: JSON.stringify(["Alice", "bob", "carol"]) });
    expect(await ep.handler(ctx, params)).toEqual({
      data: {
        invalidAccids: ["carol"],
        onlineStatusList: [
          {
            accid: "alice",
            statusList: [
              { loginTime: 1000, clientType: "IOS" },
              { loginTime: 2000, clientType: "WEB" },
            ],
          },
          { accid: "bob", statusList: [] },
        ],
      },
    });
  });
});
