/**
 * Nimbus client SDK (`nimbus/client`), for Node 20+ and browsers.
 *
 * ```ts
 * import { connect } from "nimbus/client";
 * const client = await connect({ url: "http://127.0.0.1:2567", appKey, accid, token, deviceId: "d1", clientType: "WEB" });
 * client.on("message", (m) => console.log(m.conv, m.seq, m.from, m.body));
 * client.on("kicked", ({ reason, desc }) => console.log("kicked", reason, desc));
 * const ack = await client.sendText("bob", "hello");
 * await client.markRead("bob", ack.seq);
 * await client.logout();
 * ```
 */
import { NimbusClient, type ConnectOptions } from "./client.ts";

export { NimbusClient, type ClientState, type ConnectOptions, type NimbusClientEvents } from "./client.ts";
export { NimbusClientError, ClientCodes } from "./errors.ts";
export { defaultReconnectPolicy, type ReconnectPolicy } from "./backoff.ts";
export type { HistoryOptions, MessagingClientEvents, SendOptions, SuperTeamNotification, TeamNotification } from "./messenger.ts";
export { TeamsClient, type TeamSettings } from "./teams.ts";
export {
  JoinMode,
  TeamEvents,
  TeamOps,
  TeamRequests,
  teamConversationId,
  type CreateTeamRequest,
  type TeamApplyEvent,
  type TeamInfo,
  type TeamInviteEvent,
  type TeamMember,
  type TeamMuteType,
  type TeamNotificationBody,
  type TeamView,
} from "../protocol/team.ts";
export {
  MessageType,
  MessagingEvents,
  type ConversationId,
  type ConversationSummary,
  type DeleteEvent,
  type HistoryRequest,
  type Message,
  type MessageOption,
  type ReadReceipt,
  type RecallEvent,
  type SendAck,
  type SessionRemovedEvent,
  type SyncRequest,
  type SyncResult,
  type SystemNotification,
} from "../protocol/messages.ts";
export {
  MessagingRequests,
  type ConversationsRequest,
  type MarkReadRequest,
  type NotifyRequest,
  type RecallRequest,
  type SendRequest,
  type SyncState,
} from "../protocol/messaging.ts";
export { BROADCAST_OS, BROADCAST_EVENT, BROADCASTS_REQUEST, type Broadcast, type BroadcastOs } from "../protocol/broadcasts.ts";
export {
  SIGNAL_EVENT,
  SignalEventTypes,
  SignalRequests,
  type SignalEvent,
  type SignalEventType,
  type SignalMember,
  type SignalRoom,
  type SignalRoomType,
} from "../protocol/signal.ts";
export { SignallingClient } from "./signalling.ts";
export {
  BroadcastType,
  CUSTOM_EVENT,
  PRESENCE_EVENT,
  PresenceRequests,
  PresenceValue,
  type CustomEventChange,
  type CustomEventPush,
  type PublishEventRequest,
  type PresenceChange,
  type PresencePush,
  type SubscribeRequest,
  type SubscriptionInfo,
  type UnsubscribeRequest,
} from "../protocol/presence-events.ts";
export {
  conversationOf,
  formatConversation,
  parseConversation,
  peerOf,
  type ConversationKind,
  type ConversationRef,
} from "../conversation/ref.ts";
export {
  CLIENT_TYPES,
  CloseCodes,
  Frames,
  KickReason,
  Requests,
  ROOM_NAME,
  type ClientType,
  type JoinOptions,
  type Kicked,
  type MatchmakeErrorBody,
  type SessionInfo,
  type Welcome,
} from "../protocol/link.ts";

export { enterChatroom, ChatroomHandle, type ChatroomEvents, type ChatroomSendOptions, type EnterChatroomOptions } from "./chatroom.ts";
export {
  CHATROOM_ROOM_NAME,
  ChatroomFrames,
  ChatroomKickReason,
  ChatroomNotificationKind,
  ChatroomRequests,
  type ChatroomKicked,
  type ChatroomMessage,
  type ChatroomNotification,
  type ChatroomQueueChange,
  type ChatroomSendAck,
  type ChatroomWelcome,
} from "../protocol/chatroom.ts";

/** Logs a device in; rejects with NimbusClientError carrying the NIM code (302, 404, 422, …). */
export async function connect(options: ConnectOptions): Promise<NimbusClient> {
  const client = new NimbusClient(options);
  await client.open();
  return client;
}
