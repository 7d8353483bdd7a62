import type { ActorFactory } from "../src/runtime/mod.ts";
import { FriendsActor } from "./friends/friends.ts";
import { InboxActor } from "./inbox/inbox.ts";
import { INBOX_KIND } from "../src/contracts/inbox.ts";
import { NoticesActor } from "./notices/notices.ts";
import { NOTICES_KIND } from "../src/contracts/notices.ts";
import { SessionActor } from "./p2p/session.ts";
import { SESSION_KIND } from "../src/contracts/session.ts";
import { UserActor } from "./user/user.ts";
import { FRIENDS_KIND } from "../src/contracts/friends.ts";
import { USER_KIND } from "../src/contracts/user.ts";
import { SubscriptionsActor } from "./subscriptions/subscriptions.ts";
import { SUBSCRIPTIONS_KIND } from "../src/contracts/subscriptions.ts";

/** Every domain actor kind a node hosts, by kind. */
export const domainActors: Record<string, ActorFactory> = {
  [USER_KIND]: (ctx) => new UserActor(ctx),
  [FRIENDS_KIND]: (ctx) => new FriendsActor(ctx),
  [SESSION_KIND]: (ctx) => new SessionActor(ctx),
  [INBOX_KIND]: (ctx) => new InboxActor(ctx),
  [NOTICES_KIND]: (ctx) => new NoticesActor(ctx),
  [SUBSCRIPTIONS_KIND]: (ctx) => new SubscriptionsActor(ctx),
};
