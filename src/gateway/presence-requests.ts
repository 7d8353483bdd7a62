import { z } from "zod";
import type { AppRegistry } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { SUBSCRIBE_MAX_PUBLISHERS, SUBSCRIBE_TTL_MAX_S, SUBSCRIBE_TTL_MIN_S, subscriptionsAddress } from "../contracts/subscriptions.ts";
import { ACCID_PATTERN } from "../protocol/accid.ts";
import { NimbusError } from "../protocol/errors.ts";
import { PresenceRequests, type SubscriptionInfo } from "../protocol/presence-events.ts";
import { parseBody } from "./messaging-schemas.ts";
import type { RequestHandler } from "./requests.ts";

const publishers = z
  .array(z.string({ error: "must be a string" }).regex(ACCID_PATTERN, "not an account id"), { error: "must be a list of account ids" })
  .min(1, "must not be empty")
  .max(SUBSCRIBE_MAX_PUBLISHERS, `too many: at most ${SUBSCRIBE_MAX_PUBLISHERS}`);

const subscribeSchema = z.object({
  publishers,
  ttlSeconds: z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(SUBSCRIBE_TTL_MIN_S, `must be at least ${SUBSCRIBE_TTL_MIN_S}`)
    .max(SUBSCRIBE_TTL_MAX_S, `must be at most ${SUBSCRIBE_TTL_MAX_S}`),
});
const unsubscribeSchema = z.object({ publishers: publishers.optional() }).default({});
const querySchema = z.object({ publishers: publishers.optional() }).default({});

/**
 * A device's own online-status subscriptions, the same as the server API's event/subscribe/*:
 * always the session's account (never one named in the body), with the app's limit.
 */
export function registerPresenceRequests(
  register: (type: string, handler: RequestHandler) => void,
  deps: { system: ActorSystem; apps: AppRegistry },
): void {
  register(PresenceRequests.SUBSCRIBE, async (device, body) => {
    const r = parseBody(subscribeSchema, body, "subscribe");
    const { appKey, accid } = device.session;
    const app = deps.apps.get(appKey);
    if (!app) throw new NimbusError("FORBIDDEN", `unknown appKey ${appKey}`);
    return deps.system.ask(subscriptionsAddress(appKey, accid), {
      t: "add",
      publishers: r.publishers,
      ttlSeconds: r.ttlSeconds,
      max: app.limits.subscriptions,
    });
  });

  register(PresenceRequests.UNSUBSCRIBE, async (device, body) => {
    const r = parseBody(unsubscribeSchema, body, "unsubscribe");
    const ref = subscriptionsAddress(device.session.appKey, device.session.accid);
    if (!r.publishers) {
      await deps.system.ask(ref, { t: "clear" });
      return { failed: [] };
    }
    return deps.system.ask(ref, { t: "remove", publishers: r.publishers });
  });

  register(PresenceRequests.SUBSCRIPTIONS, async (device, body): Promise<SubscriptionInfo[]> => {
    const r = parseBody(querySchema, body, "subscriptions");
    const ref = subscriptionsAddress(device.session.appKey, device.session.accid);
    return deps.system.ask(ref, { t: "query", ...(r.publishers && { publishers: r.publishers }) });
  });
}
