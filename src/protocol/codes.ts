/**
 * The one catalogue of status codes. The numbers are NIM's, so an app server written against NIM
 * reads our answers the same way; `desc` is the default text when a more specific one is not given.
 * Every error path in Nimbus names one of these.
 */
export const Codes = {
  OK: { code: 200, desc: "success" },
  CLIENT_VERSION: { code: 201, desc: "client version wrong" },
  BANNED: { code: 301, desc: "banned" },
  LOGIN_FAILED: { code: 302, desc: "wrong account or token" },
  IP_RESTRICTED: { code: 315, desc: "ip restricted" },
  FORBIDDEN: { code: 403, desc: "illegal operation or no permission" },
  NOT_FOUND: { code: 404, desc: "object does not exist" },
  TOO_LONG: { code: 405, desc: "parameter too long" },
  READ_ONLY: { code: 406, desc: "object read-only" },
  TIMEOUT: { code: 408, desc: "request timeout" },
  PARAM_ERROR: { code: 414, desc: "parameter error" },
  NETWORK: { code: 415, desc: "client network problem" },
  RATE_LIMITED: { code: 416, desc: "rate limited" },
  DUPLICATE_OPERATION: { code: 417, desc: "duplicate operation" },
  QUANTITY_LIMIT: { code: 419, desc: "quantity exceeds limit" },
  ACCOUNT_DISABLED: { code: 422, desc: "account disabled" },
  ACCOUNT_MUTED: { code: 423, desc: "account muted" },
  DUPLICATE_REQUEST: { code: 431, desc: "duplicate http request" },
  INTERNAL: { code: 500, desc: "server internal error" },
  BUSY: { code: 503, desc: "server busy" },
  RECALL_EXPIRED: { code: 508, desc: "recall time limit exceeded" },
  INVALID_PROTOCOL: { code: 509, desc: "invalid protocol" },
  UNAVAILABLE: { code: 514, desc: "service unavailable" },
  UNPACK_ERROR: { code: 998, desc: "unpack error" },
  PACK_ERROR: { code: 999, desc: "pack error" },
  TEAM_FULL: { code: 801, desc: "team member count exceeds limit" },
  TEAM_NO_PERMISSION: { code: 802, desc: "no permission" },
  TEAM_NOT_FOUND: { code: 803, desc: "team does not exist" },
  TEAM_NOT_MEMBER: { code: 804, desc: "user not in team" },
  TEAM_TYPE_MISMATCH: { code: 805, desc: "team type mismatch" },
  TEAM_CREATE_LIMIT: { code: 806, desc: "created team count reached limit" },
  TEAM_MEMBER_STATE: { code: 807, desc: "team member status error" },
  TEAM_ALREADY_MEMBER: { code: 809, desc: "already in team" },
  TEAM_APPLIED: { code: 808, desc: "application sent" },
  TEAM_INVITED: { code: 810, desc: "invitation sent" },
  TEAM_MUTED: { code: 812, desc: "team muted" },
  TEAM_MANAGER_LIMIT: { code: 815, desc: "team manager count exceeds limit" },
  SIGNAL_PEER_OFFLINE: { code: 10201, desc: "signalling: the invitee is offline (invitation stored)" },
  SIGNAL_ROOM_NOT_FOUND: { code: 10404, desc: "signalling: room does not exist" },
  SIGNAL_ROOM_EXISTS: { code: 10405, desc: "signalling: room already exists" },
  SIGNAL_NOT_MEMBER: { code: 10406, desc: "signalling: not in the room" },
  SIGNAL_ALREADY_MEMBER: { code: 10407, desc: "signalling: already in the room" },
  SIGNAL_INVITE_INVALID: { code: 10408, desc: "signalling: invitation does not exist or has expired" },
  SIGNAL_INVITE_REJECTED: { code: 10409, desc: "signalling: invitation already rejected" },
  SIGNAL_INVITE_ACCEPTED: { code: 10410, desc: "signalling: invitation already accepted" },
  SIGNAL_UID_CONFLICT: { code: 10417, desc: "signalling: uid already taken" },
  SIGNAL_ROOM_FULL: { code: 10419, desc: "signalling: room is full" },
  CHATROOM_LINK: { code: 13001, desc: "chat room: im main connection abnormal" },
  CHATROOM_STATE: { code: 13002, desc: "chat room state abnormal" },
  CHATROOM_BLACKLISTED: { code: 13003, desc: "account in chat room blacklist" },
  CHATROOM_MUTED: { code: 13004, desc: "muted in chat room" },
} as const;

export type CodeName = keyof typeof Codes;
export type StatusCode = (typeof Codes)[CodeName]["code"];

const byNumber = new Map<number, { code: number; desc: string }>(Object.values(Codes).map((c) => [c.code, c]));

/** The catalogue entry for a number, if it is one of ours. */
export function describeCode(code: number): string | undefined {
  return byNumber.get(code)?.desc;
}
