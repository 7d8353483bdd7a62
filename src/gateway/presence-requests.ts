import { z } from "zod";
import type { AppRegistry } from "../apps/registry.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { SUBSCRIBE_MAX_PUBLISHERS, SUBSCRIBE_TTL_MAX_S, SUBSCRIBE_TTL_MIN_S, subscriptionsAddress } from "../contracts/subscriptions.ts";
import { ACCID_PATTERN } from "../protocol/accid.ts";
import { NimbusError } from "../protocol/errors.ts";
import {
  CUSTOM_EVENT_CONFIG_MAX,
  CUSTOM_EVENT_TTL_MAX_S,
  CUSTOM_EVENT_TTL_MIN_S,
  CUSTOM_EVENT_TYPE_MAX,
  CUSTOM_EVENT_TYPE_MIN,
  PresenceRequests,
  type CustomEventChange,
  type SubscriptionInfo,
} from "../protocol/presence-events.ts";
import { userAddress } from "../contracts/user.ts";
import { parseBody } from "./messaging-schemas.ts";
import type { RequestHandler } from "./requests.ts";

const publishers = z
  .array(z.string({ error: "must be a string" }).regex(ACCID_PATTERN, "not an account id"), { error: "must be a list of account ids" })
  .min(1, "must not be empty")
  .max(SUBSCRIBE_MAX_PUBLISHERS, `too many: at most ${SUBSCRIBE_MAX_PUBLISHERS}`);

const int = () => z.number({ error: "must be a number" }).int("must be an integer");
const customType = int()
  .min(CUSTOM_EVENT_TYPE_MIN, `must be at least ${CUSTOM_EVENT_TYPE_MIN}`)
  .max(CUSTOM_EVENT_TYPE_MAX, `must be at most ${CUSTOM_EVENT_TYPE_MAX}`);
/** 1 (the online state) or a custom event type. */
const eventType = int().refine((t) => t === 1 || (t >= CUSTOM_EVENT_TYPE_MIN && t <= CUSTOM_EVENT_TYPE_MAX), {
  error: `must be 1 or a custom type from ${CUSTOM_EVENT_TYPE_MIN}`,
});

const subscribeSchema = z.object({
  eventType: eventType.optional(),
  publishers,
  ttlSeconds: z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(SUBSCRIBE_TTL_MIN_S, `must be at least ${SUBSCRIBE_TTL_MIN_S}`)
    .max(SUBSCRIBE_TTL_MAX_S, `must be at most ${SUBSCRIBE_TTL_MAX_S}`),
});
const unsubscribeSchema = z.object({ publishers: publishers.optional(), eventType: eventType.optional() }).default({});
const querySchema = z.object({ publishers: publishers.optional(), eventType: eventType.optional() }).default({});
const publishSchema = z.object({
  eventType: customType,
  eventValue: int(),
  config: z
    .string({ error: "must be a string" })
    .max(CUSTOM_EVENT_CONFIG_MAX, `too long: at most ${CUSTOM_EVENT_CONFIG_MAX} characters`)
    .optional(),
  ttl: int()
    .min(CUSTOM_EVENT_TTL_MIN_S, `must be at least ${CUSTOM_EVENT_TTL_MIN_S}`)
    .max(CUSTOM_EVENT_TTL_MAX_S, `must be at most ${CUSTOM_EVENT_TTL_MAX_S}`),
  broadcastType: z.union([z.literal(1), z.literal(2)], { error: "must be 1 (online only) or 2 (online and offline)" }).optional(),
});

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
      ...(r.eventType !== undefined && { eventType: r.eventType }),
    });
  });

  register(PresenceRequests.UNSUBSCRIBE, async (device, body) => {
    const r = parseBody(unsubscribeSchema, body, "unsubscribe");
    const ref = subscriptionsAddress(device.session.appKey, device.session.accid);
    const only = r.eventType !== undefined && { eventType: r.eventType };
    if (!r.publishers) {
      await deps.system.ask(ref, { t: "clear", ...only });
      return { failed: [] };
    }
    return deps.system.ask(ref, { t: "remove", publishers: r.publishers, ...only });
  });

  register(PresenceRequests.SUBSCRIPTIONS, async (device, body): Promise<SubscriptionInfo[]> => {
    const r = parseBody(querySchema, body, "subscriptions");
    const ref = subscriptionsAddress(device.session.appKey, device.session.accid);
    return deps.system.ask(ref, {
      t: "query",
      ...(r.publishers && { publishers: r.publishers }),
      ...(r.eventType !== undefined && { eventType: r.eventType }),
    });
  });

  // One publish on the publisher's presence subject, by its user actor; every node with a subscriber fans it out.
  register(PresenceRequests.PUBLISH_EVENT, async (device, body): Promise<CustomEventChange> => {
    const r = parseBody(publishSchema, body, "publishEvent");
    const event = {
      eventType: r.eventType,
      eventValue: r.eventValue,
      ttl: r.ttl,
      ...(r.config !== undefined && { config: r.config }),
      ...(r.broadcastType !== undefined && { broadcastType: r.broadcastType }),
    };
    return deps.system.ask(userAddress(device.session.appKey, device.session.accid), { t: "publishEvent", event });
  });
}
