import { z } from "zod";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accid, bool, int, requiredText, text } from "./params.ts";
import { askRoom, NOTIFY_EXT_MAX, roomid } from "./chatroom-params.ts";
import { QueueSyncEvent } from "../../chatrooms/sync.ts";

const KEY_MAX = 128;
const VALUE_MAX = 4096;
/** NIM: at most 200 elements per batch update. */
const BATCH_MAX = 200;

/** NIM's `elements`: a JSON object of key -> value strings, 1 to 200 of them; kept as a list (a key may be `__proto__`). */
function elementsParam() {
  return z
    .string({ error: "required" })
    .transform((s, ctx): [string, string][] => {
      let v: unknown;
      try {
        v = JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not a JSON object" });
        return z.NEVER;
      }
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        ctx.addIssue({ code: "custom", message: "not a JSON object" });
        return z.NEVER;
      }
      const entries = Object.entries(v);
      if (entries.length === 0 || entries.length > BATCH_MAX) {
        ctx.addIssue({ code: "custom", message: `must hold 1 to ${BATCH_MAX} elements` });
        return z.NEVER;
      }
      for (const [k, val] of entries) {
        if (
          k === "" ||
          [...k].length > KEY_MAX ||
          typeof val !== "string" ||
          [...val].length > VALUE_MAX ||
          /\p{Surrogate}/u.test(k + val)
        ) {
          ctx.addIssue({
            code: "custom",
            message: `each key must be 1 to ${KEY_MAX} characters and each value a string of at most ${VALUE_MAX}`,
          });
          return z.NEVER;
        }
      }
      return entries as [string, string][];
    })
    .meta({ description: `JSON object of at most ${BATCH_MAX} key -> value strings` });
}

const queueInit = endpoint({
  module: "chatroom",
  action: "queueInit",
  summary: "Set the size limit of the room's queue (0 to 1000)",
  params: z.object({ roomid: roomid(), sizeLimit: int(0, 1000) }),
  async handler(ctx, p) {
    await askRoom(ctx, p.roomid, { t: "queueInit", sizeLimit: p.sizeLimit });
    await ctx.chatrooms.queueChanged(ctx.app.appKey, p.roomid, { qEvent: QueueSyncEvent.INIT, fromWebApi: true, operator: null });
    return {};
  },
});

const queueOffer = endpoint({
  module: "chatroom",
  action: "queueOffer",
  summary: "Add an element to the tail of the queue, or update the value of an existing key in place",
  params: z.object({
    roomid: roomid(),
    key: requiredText(KEY_MAX),
    value: requiredText(VALUE_MAX),
    operator: accid().optional(),
    transient: bool().optional(),
  }),
  async handler(ctx, p) {
    if (p.operator !== undefined) await ctx.chatrooms.requireAccount(ctx.app.appKey, p.operator, "operator");
    await askRoom(ctx, p.roomid, {
      t: "queueOffer",
      operator: p.operator ?? null,
      key: p.key,
      value: p.value,
      transient: p.transient ?? false,
      member: false,
    });
    await ctx.chatrooms.queueChanged(ctx.app.appKey, p.roomid, {
      qEvent: QueueSyncEvent.ADD,
      fromWebApi: true,
      operator: p.operator ?? null,
      elements: { [p.key]: p.value },
      transient: p.transient ?? false,
    });
    return {};
  },
});

const queuePoll = endpoint({
  module: "chatroom",
  action: "queuePoll",
  summary: "Take the element `key` out of the queue, or its head when key is empty",
  params: z.object({ roomid: roomid(), key: text(KEY_MAX).optional() }),
  async handler(ctx, p) {
    const taken = await askRoom(ctx, p.roomid, { t: "queuePoll", operator: null, key: p.key ?? "", member: false });
    if (taken)
      await ctx.chatrooms.queueChanged(ctx.app.appKey, p.roomid, {
        qEvent: QueueSyncEvent.POLL,
        fromWebApi: true,
        operator: null,
        elements: { [taken.key]: taken.value },
      });
    return { desc: taken ?? {} };
  },
});

const queueList = endpoint({
  module: "chatroom",
  action: "queueList",
  summary: "The queue in order, each element as {key: value}",
  params: z.object({ roomid: roomid() }),
  async handler(ctx, p) {
    const list = await askRoom(ctx, p.roomid, { t: "queueList" });
    return { desc: { list: list.map((e) => ({ [e.key]: e.value })) } };
  },
});

const queueDrop = endpoint({
  module: "chatroom",
  action: "queueDrop",
  summary: "Empty the queue",
  params: z.object({ roomid: roomid() }),
  async handler(ctx, p) {
    await askRoom(ctx, p.roomid, { t: "queueDrop", operator: null });
    await ctx.chatrooms.queueChanged(ctx.app.appKey, p.roomid, { qEvent: QueueSyncEvent.DROP, fromWebApi: true, operator: null });
    return {};
  },
});

const queueBatchUpdateElements = endpoint({
  module: "chatroom",
  action: "queueBatchUpdateElements",
  summary: "Update the values of up to 200 existing keys at once; answers the keys that are not in the queue",
  params: z.object({
    roomid: roomid(),
    operator: accid(),
    elements: elementsParam(),
    needNotify: bool().optional(),
    notifyExt: text(NOTIFY_EXT_MAX).optional(),
  }),
  async handler(ctx, p) {
    const desc = await askRoom(ctx, p.roomid, {
      t: "queueBatchUpdate",
      operator: p.operator,
      elements: p.elements,
      needNotify: p.needNotify ?? true,
      ...(p.notifyExt ? { notifyExt: p.notifyExt } : {}),
    });
    const missing = new Set(desc.noExistElementKey);
    const updated = p.elements.filter(([k]) => !missing.has(k));
    if (updated.length > 0)
      await ctx.chatrooms.queueChanged(ctx.app.appKey, p.roomid, {
        qEvent: QueueSyncEvent.BATCH_UPDATE,
        fromWebApi: true,
        operator: p.operator,
        elements: Object.fromEntries(updated),
      });
    return { desc };
  },
});

/** The queue (NIM's 麦序). */
export const chatroomQueueEndpoints: readonly NimEndpoint[] = [
  queueInit,
  queueOffer,
  queuePoll,
  queueList,
  queueDrop,
  queueBatchUpdateElements,
];
