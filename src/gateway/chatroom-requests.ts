import { QueueSyncEvent } from "../chatrooms/sync.ts";
import type { AppRegistry } from "../apps/registry.ts";
import type { ChatroomService } from "../chatrooms/service.ts";
import { checkChatroomSend, EDGE_SEND_FIELDS } from "../chatrooms/validate.ts";
import { chatroomAddress } from "../contracts/chatroom.ts";
import { ChatroomRequests } from "../protocol/chatroom.ts";
import { NimbusError, refuse } from "../protocol/errors.ts";
import { longerThan, tooLongProblem } from "../protocol/text-length.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { MemberGrant } from "./chatroom-room.ts";

/** Who asks: the member's entry, and its client session (its own messages are not pushed back to it). */
export interface ChatroomAsker {
  grant: MemberGrant;
  sessionId: string;
}

/** One request type of a room member; validate `body` yourself, it is whatever the client sent. */
export type ChatroomRequestHandler = (asker: ChatroomAsker, body: unknown) => Promise<unknown>;

const QUEUE_KEY_MAX = 128;
const QUEUE_VALUE_MAX = 4096;

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body) || body instanceof Uint8Array)
    refuse("request", "must be an object");
  return body as Record<string, unknown>;
}

function str(v: unknown, field: string, max: number, required: boolean): string {
  if (v === undefined || v === null) {
    if (required) refuse(field, "required");
    return "";
  }
  if (typeof v !== "string") refuse(field, "must be a string");
  if (required && v === "") refuse(field, "required");
  if (longerThan(v, max)) refuse(field, tooLongProblem(max));
  if (/\p{Surrogate}/u.test(v)) refuse(field, "not valid Unicode (a lone surrogate)");
  return v;
}

/** The requests a chat room member may send over its room edge (PROTOCOL.md §13). */
export function chatroomRequestHandlers(deps: {
  apps: AppRegistry;
  system: ActorSystem;
  chatrooms: ChatroomService;
}): Map<string, ChatroomRequestHandler> {
  const appOf = (g: MemberGrant) => {
    const app = deps.apps.get(g.appKey);
    if (!app) throw new NimbusError("FORBIDDEN", `unknown appKey ${g.appKey}`);
    return app;
  };
  const room = (g: MemberGrant) => chatroomAddress(g.appKey, g.roomid);
  const speaker = (g: MemberGrant) => {
    if (g.anonymous) throw new NimbusError("FORBIDDEN", "an anonymous member may only watch");
  };
  const handlers = new Map<string, ChatroomRequestHandler>();

  handlers.set(ChatroomRequests.SEND, async ({ grant, sessionId }, body) => {
    speaker(grant);
    const raw = objectBody(body);
    const input = checkChatroomSend(
      { ...raw, fromNick: grant.nick, fromAvator: grant.avator, fromClientType: grant.clientType },
      grant.accid,
      EDGE_SEND_FIELDS,
    );
    input.fromSession = sessionId;
    return deps.chatrooms.send(appOf(grant), grant.roomid, input);
  });

  handlers.set(ChatroomRequests.HISTORY, async ({ grant }, body) => {
    const raw = objectBody(body);
    const timetag = raw.timetag ?? 0;
    if (typeof timetag !== "number" || !Number.isSafeInteger(timetag) || timetag < 0) refuse("timetag", "must be a time in ms");
    const reverse = raw.reverse ?? 2;
    if (reverse !== 1 && reverse !== 2) refuse("reverse", "must be 1 (oldest first) or 2 (newest first)");
    const limit = raw.limit ?? 100;
    if (typeof limit !== "number") refuse("limit", "must be an integer from 1 to 200");
    const types = raw.types;
    if (types !== undefined && (!Array.isArray(types) || types.length > 20 || !types.every((t) => Number.isSafeInteger(t)))) {
      refuse("types", "must be a list of message types");
    }
    return deps.chatrooms.history(appOf(grant), {
      roomid: grant.roomid,
      timetag,
      limit,
      reverse,
      ...(Array.isArray(types) && { types: types as number[] }),
    });
  });

  handlers.set(ChatroomRequests.QUEUE_OFFER, async ({ grant }, body) => {
    speaker(grant);
    const raw = objectBody(body);
    const key = str(raw.key, "key", QUEUE_KEY_MAX, true);
    const value = str(raw.value, "value", QUEUE_VALUE_MAX, true);
    if (raw.transient !== undefined && typeof raw.transient !== "boolean") refuse("transient", "must be true or false");
    const done = await deps.system.ask(room(grant), {
      t: "queueOffer",
      operator: grant.accid,
      key,
      value,
      transient: raw.transient === true,
      member: true,
    });
    await deps.chatrooms.queueChanged(grant.appKey, grant.roomid, {
      qEvent: QueueSyncEvent.ADD,
      fromWebApi: false,
      operator: grant.accid,
      elements: { [key]: value },
      transient: raw.transient === true,
    });
    return done;
  });

  handlers.set(ChatroomRequests.QUEUE_POLL, async ({ grant }, body) => {
    speaker(grant);
    const raw = body === undefined || body === null ? {} : objectBody(body);
    const key = str(raw.key, "key", QUEUE_KEY_MAX, false);
    const taken = await deps.system.ask(room(grant), { t: "queuePoll", operator: grant.accid, key, member: true });
    if (taken)
      await deps.chatrooms.queueChanged(grant.appKey, grant.roomid, {
        qEvent: QueueSyncEvent.POLL,
        fromWebApi: false,
        operator: grant.accid,
        elements: { [taken.key]: taken.value },
      });
    return taken;
  });

  handlers.set(ChatroomRequests.QUEUE_LIST, async ({ grant }) => deps.system.ask(room(grant), { t: "queueList" }));

  handlers.set(ChatroomRequests.INFO, async ({ grant }) => deps.chatrooms.get(grant.appKey, grant.roomid, true));

  return handlers;
}
