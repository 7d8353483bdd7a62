import type { ActorFactory } from "../src/runtime/mod.ts";
import { FriendsActor } from "./friends.ts";
import { UserActor } from "./user.ts";
import { FRIENDS_KIND, USER_KIND } from "./user-protocol.ts";

/** Every domain actor kind a node hosts, by kind. */
export const domainActors: Record<string, ActorFactory> = {
  [USER_KIND]: (ctx) => new UserActor(ctx),
  [FRIENDS_KIND]: (ctx) => new FriendsActor(ctx),
};
