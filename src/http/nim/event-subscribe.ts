import { z } from "zod";
import { endpoint, type NimContext, type NimEndpoint } from "./endpoint.ts";
import { accid, int, intEnum, jsonArray } from "./params.ts";
import { askUser } from "./user-ask.ts";
import { NimbusError } from "../../protocol/errors.ts";
import {
  SUBSCRIBE_MAX_PUBLISHERS,
  SUBSCRIBE_TTL_MAX_S,
  SUBSCRIBE_TTL_MIN_S,
  subscriptionsAddress,
  ONLINE_STATE_EVENT,
  type SubscriptionsProtocol,
} from "../../contracts/subscriptions.ts";
import type { ActorRef } from "../../runtime/actor-ref.ts";

/** NIM's event subscription knows one event type here: 1, online state. */
const eventType = () => intEnum([1]);
const publisherAccids = () => jsonArray(accid(), SUBSCRIBE_MAX_PUBLISHERS);

/** The subscriber's subscriptions actor, once its account is known to exist (404 otherwise). */
async function subscriber(ctx: NimContext, accid: string): Promise<ActorRef<SubscriptionsProtocol>> {
  if (!(await askUser(ctx, accid, { t: "get" }))) throw new NimbusError("NOT_FOUND", `accid: account ${accid} does not exist`);
  return subscriptionsAddress(ctx.app.appKey, accid);
}

const add = endpoint({
  module: "event/subscribe",
  action: "add",
  summary: `Subscribes accid to the online state of up to ${SUBSCRIBE_MAX_PUBLISHERS} publishers for ttl seconds (renewing existing ones); publishers that are not registered, or accid itself, come back in failedAccid. Past the app's limit of subscribed accounts (3,000) the call is refused with 419 and nothing changes`,
  params: z.object({
    accid: accid(),
    eventType: eventType(),
    publisherAccids: publisherAccids(),
    ttl: int(SUBSCRIBE_TTL_MIN_S, SUBSCRIBE_TTL_MAX_S),
  }),
  async handler(ctx, p) {
    const ref = await subscriber(ctx, p.accid);
    const { failed } = await ctx.system.ask(ref, {
      t: "add",
      publishers: p.publisherAccids,
      ttlSeconds: p.ttl,
      max: ctx.app.limits.subscriptions,
    });
    return { failedAccid: failed };
  },
});

const remove = endpoint({
  module: "event/subscribe",
  action: "delete",
  summary: "Ends accid's subscriptions to these publishers; those it was not subscribed to come back in failedAccid",
  params: z.object({ accid: accid(), eventType: eventType(), publisherAccids: publisherAccids() }),
  async handler(ctx, p) {
    const ref = await subscriber(ctx, p.accid);
    const { failed } = await ctx.system.ask(ref, { t: "remove", publishers: p.publisherAccids });
    return { failedAccid: failed };
  },
});

const batchdel = endpoint({
  module: "event/subscribe",
  action: "batchdel",
  summary: "Ends every online-state subscription of accid",
  params: z.object({ accid: accid(), eventType: eventType() }),
  async handler(ctx, p) {
    // eventType 1 only: the account's custom event subscriptions (made over the realtime link) stay.
    await ctx.system.ask(await subscriber(ctx, p.accid), { t: "clear", eventType: ONLINE_STATE_EVENT });
    return {};
  },
});

const query = endpoint({
  module: "event/subscribe",
  action: "query",
  summary: "accid's live subscriptions to these publishers, with when each was made (subscribeTime) and ends (expireTime), in ms",
  params: z.object({ accid: accid(), eventType: eventType(), publisherAccids: publisherAccids() }),
  async handler(ctx, p) {
    const ref = await subscriber(ctx, p.accid);
    const subs = await ctx.system.ask(ref, { t: "query", publishers: p.publisherAccids, eventType: ONLINE_STATE_EVENT });
    return {
      subscribes: subs.map((s) => ({ accid: s.publisher, eventType: 1, expireTime: s.expireAt, subscribeTime: s.subscribedAt })),
    };
  },
});

/** The `event/subscribe/*` family of NIM's server API v1 (reference §3.10). */
export const eventSubscribeEndpoints: readonly NimEndpoint[] = [add, remove, batchdel, query];
