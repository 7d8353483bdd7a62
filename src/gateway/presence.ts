import type { OnlineDevice, PresenceView } from "../contracts/presence.ts";
import type { DeviceTable } from "./device-table.ts";

/**
 * Who is online, from this node's device table: right for one node. In a cluster a user's
 * devices may be on other nodes, so this becomes a question to the user actor's device registry.
 */
export function localPresenceView(table: DeviceTable): PresenceView {
  return {
    async devicesOf(appKey: string, accid: string): Promise<OnlineDevice[]> {
      return table
        .devicesOf(appKey, accid)
        .map((s) => ({ clientType: s.info.clientType, loginTime: s.info.loginTime, deviceId: s.info.deviceId }));
    },
  };
}
