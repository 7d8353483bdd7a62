import { Room, type Client } from "@colyseus/core";
import type { DeviceSession } from "./device-session.ts";
import type { LoginGrant } from "./login-grant.ts";

export type ImClient = Client<{ userData: DeviceSession; auth: LoginGrant }>;

/** What the room hands every lifecycle event to: the gateway's session logic. */
export interface ImRoomDelegate {
  created(room: ImRoom): void;
  join(room: ImRoom, client: ImClient, grant: LoginGrant): Promise<void>;
  drop(room: ImRoom, client: ImClient, code: number): void;
  reconnect(client: ImClient): void;
  leave(client: ImClient, code: number): void;
}

export interface ImRoomCreateOptions {
  delegate: ImRoomDelegate;
  seatReservationSeconds: number;
}

/**
 * The `im` room: ONE instance per node holds every device connected to that node.
 *
 * Why not a room per user or per conversation: a Colyseus room is a single-process object with
 * its own patch timer and matchmaking listing; a room per user means a timer and a listing row per
 * connection, and cross-node delivery would go through Colyseus's presence instead of our bus. IM
 * fan-out is already solved by bus subjects (a node subscribes per user, DESIGN "Delivery"), so the
 * room is only the node's connection registry: no state (no patches to compute), one timer per node,
 * and clients land on the node they matchmade with because every node has its own local matchmaker
 * and reserves seats only in its own room.
 *
 * The room holds no logic: each hook is passed to the delegate bound at creation, so a process
 * hosting several nodes (tests) keeps each node's sessions apart.
 */
export class ImRoom extends Room<{ client: ImClient }> {
  // No state: the room never sends patches; the tick only advances the clock, which Nimbus does
  // not use (resume windows and rate limits run on their own timers), so once a minute is plenty.
  override patchRate = 60_000;
  // The node's room lives as long as the node, even with nobody connected.
  override autoDispose = false;
  private delegate!: ImRoomDelegate;

  override onCreate(options: ImRoomCreateOptions): void {
    this.delegate = options.delegate;
    this.seatReservationTimeout = options.seatReservationSeconds;
    this.delegate.created(this);
  }

  override onJoin(client: ImClient, _options: unknown, grant: LoginGrant): Promise<void> {
    return this.delegate.join(this, client, grant);
  }

  override onDrop(client: ImClient, code?: number): void {
    this.delegate.drop(this, client, code ?? 1006);
  }

  override onReconnect(client: ImClient): void {
    this.delegate.reconnect(client);
  }

  override onLeave(client: ImClient, code?: number): void {
    this.delegate.leave(client, code ?? 1006);
  }
}
