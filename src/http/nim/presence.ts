import type { OnlineDevice, PresenceView } from "./endpoint.ts";

/** Until the realtime link exists, nobody is online. */
export const nobodyOnline: PresenceView = {
  async devicesOf(): Promise<OnlineDevice[]> {
    return [];
  },
};
