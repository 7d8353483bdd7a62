import { Codes } from "./codes.ts";

/** The HTTP statuses Nimbus answers with, by name, so no edge writes a bare number. */
export const HttpStatus = {
  OK: 200,
  NO_CONTENT: 204,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  GONE: 410,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type HttpStatusCode = (typeof HttpStatus)[keyof typeof HttpStatus];

/**
 * The HTTP status that means to HTTP what a NIM code means, for the routes
 * that answer with real HTTP statuses (matchmake; the NIM API itself always answers 200 with NIM's
 * envelope). NIM's numbers overlap HTTP's but do not mean the same (414 is "URI Too Long" to HTTP,
 * 302 a redirect), so they are never sent as statuses; the body keeps the NIM code.
 */
const byCode = new Map<number, HttpStatusCode>([
  [Codes.OK.code, HttpStatus.OK],
  [Codes.LOGIN_FAILED.code, HttpStatus.UNAUTHORIZED],
  [Codes.BANNED.code, HttpStatus.FORBIDDEN],
  [Codes.IP_RESTRICTED.code, HttpStatus.FORBIDDEN],
  [Codes.FORBIDDEN.code, HttpStatus.FORBIDDEN],
  [Codes.ACCOUNT_DISABLED.code, HttpStatus.FORBIDDEN],
  [Codes.NOT_FOUND.code, HttpStatus.NOT_FOUND],
  [Codes.RATE_LIMITED.code, HttpStatus.TOO_MANY_REQUESTS],
  [Codes.TIMEOUT.code, HttpStatus.SERVICE_UNAVAILABLE],
  [Codes.BUSY.code, HttpStatus.SERVICE_UNAVAILABLE],
  [Codes.UNAVAILABLE.code, HttpStatus.SERVICE_UNAVAILABLE],
  [Codes.INTERNAL.code, HttpStatus.INTERNAL_SERVER_ERROR],
]);

/** `extra` maps codes of another catalogue (Colyseus's matchmake codes) first. */
export function httpStatusOfCode(code: number, extra?: ReadonlyMap<number, HttpStatusCode>): HttpStatusCode {
  return extra?.get(code) ?? byCode.get(code) ?? HttpStatus.BAD_REQUEST;
}
