import { Client as ColyseusClient, ServerError, type Room, type SeatReservation } from "@colyseus/sdk";
import { NimbusClientError } from "./errors.ts";
import { ROOM_NAME, type JoinOptions, type MatchmakeErrorBody } from "../protocol/link.ts";
import { CHATROOM_ROOM_NAME, type ChatroomEnterOptions } from "../protocol/chatroom.ts";

/**
 * Login and resume through the official Colyseus SDK, with one difference from its
 * `joinOrCreate`/`reconnect`: those turn a refused matchmake into an error carrying only the HTTP
 * status. Posting the same request through the SDK's own HTTP client keeps the body, so the caller
 * gets the NIM code (302 is sent as HTTP 401, for one) and, for a kicked session, why.
 */
export class Matchmaker {
  readonly sdk: ColyseusClient;

  constructor(url: string) {
    this.sdk = new ColyseusClient(url);
  }

  async login(options: JoinOptions): Promise<Room> {
    return this.consume(await this.post(`/matchmake/joinOrCreate/${ROOM_NAME}`, { ...options }));
  }

  /** Enters a chat room: a seat in the room's edge on the node this client talks to. */
  async enterChatroom(options: ChatroomEnterOptions): Promise<Room> {
    return this.consume(await this.post(`/matchmake/joinOrCreate/${CHATROOM_ROOM_NAME}`, { ...options }));
  }

  /** `token` is the room's `reconnectionToken`, `roomId:secret`. */
  async resume(token: string): Promise<Room> {
    const [roomId, secret] = token.split(":");
    if (!roomId || !secret) throw new NimbusClientError(414, "malformed reconnection token");
    const seat = await this.post(`/matchmake/reconnect/${roomId}`, { reconnectionToken: secret });
    return this.consume({ ...seat, reconnectionToken: secret });
  }

  private async post(path: string, body: Record<string, unknown>): Promise<SeatReservation> {
    try {
      const res = await this.sdk.http.post(path, { body });
      return res.data as SeatReservation;
    } catch (err) {
      throw toClientError(err);
    }
  }

  private async consume(seat: SeatReservation): Promise<Room> {
    try {
      return await this.sdk.consumeSeatReservation(seat);
    } catch (err) {
      throw toClientError(err);
    }
  }
}

/** A NimbusClientError from whatever the Colyseus SDK threw. */
export function toClientError(err: unknown): NimbusClientError {
  if (err instanceof NimbusClientError) return err;
  if (err instanceof ServerError) {
    const body = err.data as Partial<MatchmakeErrorBody> | undefined;
    if (body && typeof body.code === "number") return new NimbusClientError(body.code, body.error ?? err.message, body.kicked);
    // A socket closed during the join (no body), or a network failure (code is then a string like ECONNREFUSED).
    if (typeof err.code === "number" && err.code >= 400) return new NimbusClientError(err.code, err.message || "connection failed");
    return new NimbusClientError(415, `cannot reach the server: ${err.message || String(err.code)}`);
  }
  return new NimbusClientError(415, err instanceof Error ? err.message : String(err));
}
