import type { ActorFactory } from "../src/runtime/mod.ts";
import { BroadcastsActor } from "./broadcasts/broadcasts.ts";
import { BROADCASTS_KIND } from "../src/contracts/broadcasts.ts";
import { SignalBoxActor } from "./signal/box.ts";
import { SignalNameActor } from "./signal/name.ts";
import { SignalRoomActor } from "./signal/room.ts";
import { SIGNAL_BOX_KIND, SIGNAL_NAME_KIND, SIGNAL_ROOM_KIND } from "../src/contracts/signal.ts";
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
import { TeamActor } from "./team/team.ts";
import { TEAM_KIND } from "../src/contracts/team.ts";
import { UserTeamsActor } from "./team/user-teams.ts";
import { TeamNoticesActor } from "./team/team-notices.ts";
import { TEAM_NOTICES_KIND } from "../src/contracts/team-notices.ts";
import { USER_TEAMS_KIND } from "../src/contracts/user-teams.ts";
import { ChatroomActor } from "./chatroom/chatroom.ts";
import { ChatroomOwnerActor } from "./chatroom/owner.ts";
import { CHATROOM_KIND, CHATROOM_OWNER_KIND } from "../src/contracts/chatroom.ts";
import { SuperTeamActor } from "./superteam/superteam.ts";
import { SuperTeamBucketActor } from "./superteam/bucket.ts";
import { SUPER_TEAM_BUCKET_KIND, SUPER_TEAM_KIND, USER_SUPER_TEAMS_KIND } from "../src/contracts/superteam.ts";
import { SubscriptionsActor } from "./subscriptions/subscriptions.ts";
import { SUBSCRIPTIONS_KIND } from "../src/contracts/subscriptions.ts";

/** Every domain actor kind a node hosts, by kind. */
export const domainActors: Record<string, ActorFactory> = {
  [USER_KIND]: (ctx) => new UserActor(ctx),
  [FRIENDS_KIND]: (ctx) => new FriendsActor(ctx),
  [SESSION_KIND]: (ctx) => new SessionActor(ctx),
  [INBOX_KIND]: (ctx) => new InboxActor(ctx),
  [NOTICES_KIND]: (ctx) => new NoticesActor(ctx),
  [TEAM_KIND]: (ctx) => new TeamActor(ctx),
  [USER_TEAMS_KIND]: (ctx) => new UserTeamsActor(ctx),
  [TEAM_NOTICES_KIND]: (ctx) => new TeamNoticesActor(ctx),
  [BROADCASTS_KIND]: (ctx) => new BroadcastsActor(ctx),
  [SIGNAL_ROOM_KIND]: (ctx) => new SignalRoomActor(ctx),
  [SIGNAL_NAME_KIND]: (ctx) => new SignalNameActor(ctx),
  [SIGNAL_BOX_KIND]: (ctx) => new SignalBoxActor(ctx),
  [CHATROOM_KIND]: (ctx) => new ChatroomActor(ctx),
  [CHATROOM_OWNER_KIND]: (ctx) => new ChatroomOwnerActor(ctx),
  [SUBSCRIPTIONS_KIND]: (ctx) => new SubscriptionsActor(ctx),
  [SUPER_TEAM_KIND]: (ctx) => new SuperTeamActor(ctx),
  [SUPER_TEAM_BUCKET_KIND]: (ctx) => new SuperTeamBucketActor(ctx),
  [USER_SUPER_TEAMS_KIND]: (ctx) => new UserTeamsActor(ctx),
};
