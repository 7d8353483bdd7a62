import { z } from "zod";
import { empty, type AnswerSchemas } from "./shared.ts";

/** Answers of `signal/*`: a room as NIM's Java and Go SDKs read it under `data` (src/protocol/signal.ts). */

const room = z
  .object({
    channelId: z.string(),
    channelName: z.string(),
    type: z.enum(["AUDIO", "VEDIO", "CUSTOM"]).describe('"VEDIO" is NIM\'s own spelling'),
    creator: z.string(),
    ext: z.string(),
    channelCreateTime: z.number().int(),
    channelExpireTime: z.number().int(),
    members: z.array(
      z
        .object({
          accid: z.string(),
          uid: z.number().int().describe("the member's media uid in the room"),
          deviceId: z.string(),
          createTime: z.number().int(),
          expireTime: z.number().int(),
        })
        .strict(),
    ),
  })
  .strict();

export const signalAnswers: AnswerSchemas = {
  "signal/createRoom": z.object({ data: room }),
  "signal/delayRoom": z.object({ data: room }),
  "signal/closeRoom": empty,
  "signal/getRoomInfo": z.object({ data: room }),
  "signal/ctrlRoom": empty,
  "signal/invite": empty,
  "signal/cancelInvite": empty,
  "signal/kick": empty,
};
