import type { ActorFactory } from "../src/runtime/mod.ts";
import { FriendsActor } from "./friends.ts";
import { InboxActor } from "./inbox.ts";
import { INBOX_KIND } from "./inbox-protocol.ts";
import { NoticesActor } from "./notices.ts";
import { NOTICES_KIND } from "./notices-protocol.ts";
import { SessionActor } from "./session.ts";
import { SESSION_KIND } from "./session-protocol.ts";
import { UserActor } from "./user.ts";
import { FRIENDS_KIND, USER_KIND } from "./user-protocol.ts";

/** Every domain actor kind a node hosts, by kind. */
export const domainActors: Record<string, ActorFactory> = {
  [USER_KIND]: (ctx) => new UserActor(ctx),
  [FRIENDS_KIND]: (ctx) => new FriendsActor(ctx),
  [SESSION_KIND]: (ctx) => new SessionActor(ctx),
  [INBOX_KIND]: (ctx) => new InboxActor(ctx),
  [NOTICES_KIND]: (ctx) => new NoticesActor(ctx),
};
