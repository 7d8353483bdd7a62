import { z } from "zod";
import type { ActorSystem } from "../runtime/system.ts";
import { Broadcasts } from "../messaging/broadcasts.ts";
import { BROADCASTS_REQUEST, type Broadcast } from "../protocol/broadcasts.ts";
import type { RequestHandler } from "./requests.ts";
import { parseBody } from "./messaging-schemas.ts";

const broadcastsSchema = z
  .object({ cursor: z.number().int("must be an integer").min(0, "must be at least 0").max(Number.MAX_SAFE_INTEGER).optional() })
  .default({});

/**
 * `broadcasts` `{cursor}`: the stored (isOffline) broadcasts of the device's app after its cursor
 * that target its system and have not expired, oldest first (PROTOCOL.md §11). The SDK asks after
 * every login sync; online devices are pushed new ones as they come.
 */
export function registerBroadcastRequests(register: (type: string, handler: RequestHandler) => void, deps: { system: ActorSystem }): void {
  const broadcasts = new Broadcasts(deps.system);
  register(BROADCASTS_REQUEST, (device, body): Promise<Broadcast[]> => {
    const { cursor } = parseBody(broadcastsSchema, body, "broadcasts");
    const { appKey, clientType } = device.session;
    return broadcasts.offline(appKey, clientType, cursor ?? 0);
  });
}
