import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ServerError, type matchMaker } from "@colyseus/core";

/** What a matchmake request answers: where the device's WebSocket goes. */
export type SeatReservation = Awaited<ReturnType<typeof matchMaker.reserveSeatFor>>;
import { ROOM_NAME, type Kicked, type MatchmakeErrorBody } from "../protocol/link.ts";
import { NimbusError } from "../protocol/errors.ts";
import { CHATROOM_ROOM_NAME } from "../protocol/chatroom.ts";

export interface MatchmakeHandlers {
  /** A login: answers a seat in this node's room. */
  login(body: unknown, ip: string): Promise<SeatReservation>;
  /** A resume of a dropped session by its reconnection token. */
  resume(roomId: string, reconnectionToken: string): Promise<SeatReservation>;
  /** A chat room entry (`joinOrCreate("chatroom", {appKey, roomid, accid, token, …})`): a seat in this node's edge of the room. */
  enterChatroom?(body: unknown, ip: string): Promise<SeatReservation>;
}

/** A resume refused because the session was kicked while away. */
export class ResumeKickedError extends NimbusError {
  constructor(readonly kicked: Kicked) {
    super("FORBIDDEN", "this session was kicked");
  }
}

const LOGIN_METHODS = new Set(["joinOrCreate", "join", "create"]);

/**
 * Colyseus's matchmake HTTP API (`POST /matchmake/<method>/<room>`), served by Fastify on the
 * node's one port instead of by Colyseus's router, for three reasons: the route runs the login with
 * the node's own context (Colyseus's `static onAuth` is one per process, and tests run several nodes
 * in one); seats are reserved only in this node's room, so a device always lands on the node it
 * called; and errors keep their NIM code. Colyseus's router uses the error code as the HTTP status,
 * which for NIM's 302 (wrong token) would be a redirect. Here the body is always
 * `{code, error}` with the NIM code, and the status is that code when it is an HTTP error status,
 * else 401 (302) or 400.
 */
export function registerMatchmakeRoutes(app: FastifyInstance, handlers: MatchmakeHandlers): void {
  void app.register(async (scope) => {
    // Browsers call this cross-origin with credentials (the Colyseus SDK's fetch), as Colyseus allows.
    scope.addHook("onRequest", async (req, reply) => {
      const origin = req.headers.origin;
      reply.header("access-control-allow-origin", typeof origin === "string" ? origin : "*");
      reply.header("access-control-allow-credentials", "true");
      reply.header("vary", "origin");
    });
    scope.options("/matchmake/*", async (_req, reply) => {
      reply
        .code(204)
        .header("access-control-allow-methods", "POST, OPTIONS")
        .header("access-control-allow-headers", "content-type, authorization, accept")
        .header("access-control-max-age", "86400")
        .send();
    });
    scope.setErrorHandler((err, req, reply) => sendError(req, reply, err));

    scope.post<{ Params: { method: string; name: string } }>("/matchmake/:method/:name", { bodyLimit: 16 * 1024 }, async (req, reply) => {
      const { method, name } = req.params;
      let seat: SeatReservation;
      if (LOGIN_METHODS.has(method)) {
        if (name === CHATROOM_ROOM_NAME && handlers.enterChatroom) seat = await handlers.enterChatroom(req.body, req.ip);
        else if (name !== ROOM_NAME) throw new ServerError(520, `no room named ${JSON.stringify(name)}: devices join "${ROOM_NAME}"`);
        else seat = await handlers.login(req.body, req.ip);
      } else if (method === "reconnect") {
        const token = (req.body as { reconnectionToken?: unknown } | null)?.reconnectionToken;
        if (typeof token !== "string" || token === "") throw new NimbusError("PARAM_ERROR", "reconnectionToken: required");
        seat = await handlers.resume(name, token);
      } else {
        throw new ServerError(520, `matchmake method ${JSON.stringify(method)} is not offered`);
      }
      return reply.send(seat);
    });
  });
}

function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const body = errorBody(err);
  if (body.code >= 500 && !(err instanceof NimbusError) && !(err instanceof ServerError)) {
    req.log.error({ err, url: req.url }, "matchmake failed");
  }
  return reply.code(httpStatus(body.code)).send(body);
}

function errorBody(err: unknown): MatchmakeErrorBody {
  if (err instanceof ResumeKickedError) return { code: err.code, error: err.message, kicked: err.kicked };
  if (err instanceof NimbusError || err instanceof ServerError) return { code: err.code, error: err.message };
  const status = (err as { statusCode?: unknown }).statusCode;
  // Fastify's own refusals (malformed JSON, body too large) are parameter errors to NIM.
  if (typeof status === "number" && status >= 400 && status < 500) return { code: 414, error: (err as Error).message };
  return { code: 500, error: "server internal error" };
}

function httpStatus(code: number): number {
  if (code >= 400 && code <= 599) return code;
  return code === 302 ? 401 : 400;
}
