/**
 * What the chat room service and the room edges tell the app server's data sync (NIM eventTypes
 * 4, 9, 14; src/hooks/chatroom-hooks.ts implements it). Declared here, below the hooks, so a node
 * without hooks passes nothing and the service does not know how data sync is delivered.
 */
export interface ChatroomSync {
  /** Whether the app takes this data sync eventType. */
  wants(appKey: string, eventType: number): boolean;
  /** The outbox topic a room's message append queues itself in (eventType 4), when the app wants it. */
  messageTopic(appKey: string, journalKey: string): string | undefined;
  /** A message append queued itself in `topic`. */
  queued(topic: string): void;
  /** eventType 9: a member in or out. */
  inOut(appKey: string, f: ChatroomInOutFacts): void;
  /** eventType 14: a queue change the room's actor made. */
  queueChanged(appKey: string, f: ChatroomQueueFacts): void;
}

/** What data sync 9 says of a member's entry or exit. */
export interface ChatroomInOutFacts {
  roomid: number;
  accid: string;
  event: "IN" | "OUT" | "KICK";
  clientType: string;
  /** NIM's roleType: 0 normal, 1 creator, 2 manager, 3 guest, 4 anonymous, -1 restricted. */
  roleType: number;
  anonymous: boolean;
  /** On OUT / KICK: NIM's logOutReason (OFFLINE, KICK, LOGIN_KICK, EXIT). */
  logOutReason?: "OFFLINE" | "KICK" | "LOGIN_KICK" | "EXIT";
  ext?: string;
}

/** NIM's qEvent of data sync 14. */
export const QueueSyncEvent = { INIT: 1, ADD: 2, UPDATE: 3, DELETE: 4, POLL: 5, DROP: 8, BATCH_UPDATE: 9 } as const;

/** What data sync 14 says of a queue change. */
export interface ChatroomQueueFacts {
  roomid: number;
  qEvent: number;
  /** Made through the server API (true) or by a member in the room. */
  fromWebApi: boolean;
  /** Who made it: the member, or the room's creator for the server API. */
  operator: string;
  /** Keys and values the change touched (`{key: value}` as NIM's elements). */
  elements?: Record<string, string>;
  keys?: string[];
  transient?: boolean;
}

const ROLE_TYPES: Readonly<Record<string, number>> = { COMMON: 0, CREATOR: 1, MANAGER: 2, GUEST: 3, ANONYMOUS: 4, LIMITED: -1 };

/** NIM's roleType for a member type as the room's welcome names it. */
export function chatroomRoleType(role: string): number {
  return ROLE_TYPES[role] ?? 3;
}
