import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorCode, ServerError, type matchMaker } from "@colyseus/core";

/** What a matchmake request answers: where the device's WebSocket goes. */
export type SeatReservation = Awaited<ReturnType<typeof matchMaker.reserveSeatFor>>;
import { ROOM_NAME, type Kicked, type MatchmakeErrorBody } from "../protocol/link.ts";
import { NimbusError } from "../protocol/errors.ts";
import { Codes } from "../protocol/codes.ts";
import { HttpStatus, httpStatusOfCode, type HttpStatusCode } from "../protocol/http-status.ts";
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

/** Colyseus's own matchmake codes, as HTTP reads them. */
const COLYSEUS_STATUSES = new Map<number, HttpStatusCode>([
  [ErrorCode.MATCHMAKE_NO_HANDLER, HttpStatus.NOT_FOUND],
  [ErrorCode.MATCHMAKE_INVALID_ROOM_ID, HttpStatus.NOT_FOUND],
  [ErrorCode.MATCHMAKE_EXPIRED, HttpStatus.GONE],
]);

const LOGIN_METHODS = new Set(["joinOrCreate", "join", "create"]);

/**
 * Colyseus's matchmake HTTP API (`POST /matchmake/<method>/<room>`), served by Fastify on the
 * node's one port instead of by Colyseus's router, for three reasons: the route runs the login with
 * the node's own context (Colyseus's `static onAuth` is one per process, and tests run several nodes
 * in one); seats are reserved only in this node's room, so a device always lands on the node it
 * called; and errors keep their NIM code. Colyseus's router uses the error code as the HTTP status,
 * which for NIM's 302 (wrong token) would be a redirect, and NIM's 414 would read "414 URI Too Long".
 * Here the body is always `{code, error}` with the NIM (or Colyseus matchmake) code, and the HTTP
 * status is the one that means the same to HTTP (http-status.ts): 400 bad parameter, 401 wrong
 * token, 429 rate limited, 503 retry later, …
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
        .code(HttpStatus.NO_CONTENT)
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
        else if (name !== ROOM_NAME)
          throw new ServerError(ErrorCode.MATCHMAKE_NO_HANDLER, `no room named ${JSON.stringify(name)}: devices join "${ROOM_NAME}"`);
        else seat = await handlers.login(req.body, req.ip);
      } else if (method === "reconnect") {
        const token = (req.body as { reconnectionToken?: unknown } | null)?.reconnectionToken;
        if (typeof token !== "string" || token === "") throw new NimbusError("PARAM_ERROR", "reconnectionToken: required");
        seat = await handlers.resume(name, token);
      } else {
        throw new ServerError(ErrorCode.MATCHMAKE_NO_HANDLER, `matchmake method ${JSON.stringify(method)} is not offered`);
      }
      return reply.send(seat);
    });
  });
}

function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const body = errorBody(err);
  if (body.code === Codes.INTERNAL.code && !(err instanceof NimbusError) && !(err instanceof ServerError)) {
    req.log.error({ err, url: req.url }, "matchmake failed");
  }
  return reply.code(httpStatusOfCode(body.code, COLYSEUS_STATUSES)).send(body);
}

function errorBody(err: unknown): MatchmakeErrorBody {
  if (err instanceof ResumeKickedError) return { code: err.code, error: err.message, kicked: err.kicked };
  if (err instanceof NimbusError || err instanceof ServerError) return { code: err.code, error: err.message };
  const status = (err as { statusCode?: unknown }).statusCode;
  // Fastify's own refusals (malformed JSON, body too large) are parameter errors to NIM.
  if (typeof status === "number" && status >= HttpStatus.BAD_REQUEST && status < HttpStatus.INTERNAL_SERVER_ERROR) {
    return { code: Codes.PARAM_ERROR.code, error: (err as Error).message };
  }
  return { code: Codes.INTERNAL.code, error: Codes.INTERNAL.desc };
}
