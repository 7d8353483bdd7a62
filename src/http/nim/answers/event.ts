import { z } from "zod";
import { empty, type AnswerSchemas } from "./shared.ts";

/** Answers of `event/subscribe/*` and `history/queryUserEvents` (src/http/nim/event-subscribe.ts, history-user-events.ts). */

const failedAccid = z
  .object({ failedAccid: z.array(z.string()).describe("publishers not subscribed (malformed or not registered)") })
  .strict();

const userEvent = z
  .object({
    accid: z.string(),
    timestamp: z.number().int().describe("ms since the epoch"),
    eventType: z.union([z.literal(2), z.literal(3)]).describe("2 login, 3 logout"),
    clientIp: z.string(),
    sdkVersion: z.string(),
    clientType: z.number().int().describe("NIM's number: 1 AOS, 2 IOS, 4 PC, 16 WEB, 64 MAC, 65 HARMONY"),
    deviceId: z.string(),
    customTag: z.string(),
    code: z.number().int(),
    logoutReason: z
      .number()
      .int()
      .optional()
      .describe("logouts: 1 logout, 2 disconnect, 3 kicked by the account's other device, 4 by the policy, 5 by the app server"),
  })
  .strict();

export const eventAnswers: AnswerSchemas = {
  "event/subscribe/add": failedAccid,
  "event/subscribe/delete": failedAccid,
  "event/subscribe/batchdel": empty,
  "event/subscribe/query": z
    .object({
      subscribes: z.array(
        z
          .object({
            accid: z.string().describe("the publisher"),
            eventType: z.literal(1),
            expireTime: z.number().int().describe("ms since the epoch"),
            subscribeTime: z.number().int().describe("ms since the epoch"),
          })
          .strict(),
      ),
    })
    .strict(),
  "history/queryUserEvents": z.object({ size: z.number().int(), events: z.array(userEvent) }).strict(),
};
