import { Room, type Client } from "@colyseus/core";
import type { ChatroomView } from "../contracts/chatroom.ts";
import type { FrameRateLimiter } from "./rate-limit.ts";

/** What a chat room entry proves (the seat's auth data): who entered which room, and as what. */
export interface ChatroomGrant {
  appKey: string;
  roomid: number;
  /** Lower-cased; an anonymous viewer's is `anonymous:<uuid>`. */
  accid: string;
  /** Entered without an account, to watch only. */
  anonymous: boolean;
  clientType: string;
  nick?: string;
  avator?: string;
  ext?: string;
  role: string;
  muted: boolean;
  room: ChatroomView;
}

/**
 * What an edge keeps of a grant for as long as the member stays: not the room's info, which only
 * the welcome needs (a room's announcement and ext alone may be 8 KB, once per member otherwise).
 */
export type MemberGrant = Omit<ChatroomGrant, "room">;

/** One member's client in a room edge, and its receive budget for the current second. */
export interface RoomMember {
  grant: MemberGrant;
  /** Which wall-clock second `received` counts. */
  second: number;
  /** Normal messages of others delivered in `second`. */
  received: number;
  /** Normal messages dropped by the budget, in all. */
  dropped: number;
  /** The member's request rate (crSend, crHistory…). */
  rate: FrameRateLimiter;
}

/** `auth` is the full grant until the edge's join trims it to the {@link MemberGrant}. */
export type ChatroomClient = Client<{ userData: RoomMember; auth: MemberGrant }>;

/** What a room edge hands its lifecycle to: the node's chat room edges (chatroom-edges.ts). */
export interface ChatroomRoomDelegate {
  created(room: ChatroomRoom): void;
  join(room: ChatroomRoom, client: ChatroomClient, grant: ChatroomGrant): void;
  leave(room: ChatroomRoom, client: ChatroomClient, code: number): void;
  disposed(room: ChatroomRoom): void;
}

export interface ChatroomRoomCreateOptions {
  delegate: ChatroomRoomDelegate;
  /** `<appKey>/<roomid>`: which chat room this edge serves. */
  key: string;
  seatReservationSeconds: number;
}

/**
 * A chat room's edge on one node: a Colyseus room of kind `chatroom`, one per chat room per node
 * that has members of it, holding those members' connections. It exists while it has members
 * (Colyseus disposes it after the last one leaves) and holds no state: what the room says comes
 * from the chat room actor over the bus, and the node's edges (chatroom-edges.ts) write it to
 * every member. The room is only where a client's seat is reserved and its socket lives.
 */
export class ChatroomRoom extends Room<{ client: ChatroomClient }> {
  // No state and no game loop: the clock only ticks for Colyseus's own timers.
  override patchRate = 60_000;
  override autoDispose = true;
  key = "";
  private delegate!: ChatroomRoomDelegate;

  override onCreate(options: ChatroomRoomCreateOptions): void {
    this.delegate = options.delegate;
    this.key = options.key;
    this.seatReservationTimeout = options.seatReservationSeconds;
    this.delegate.created(this);
  }

  override onJoin(client: ChatroomClient, _options: unknown, grant: ChatroomGrant): void {
    this.delegate.join(this, client, grant);
  }

  override onLeave(client: ChatroomClient, code?: number): void {
    this.delegate.leave(this, client, code ?? 1006);
  }

  override onDispose(): void {
    this.delegate.disposed(this);
  }
}
