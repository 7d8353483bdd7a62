import { z } from "zod";
import { empty, historyMessage, type AnswerSchemas } from "./shared.ts";

/** Answers of `msg/*` and `history/*` for p2p and team conversations. */

const sessionFields = {
  updateTime: z.number().int(),
  lastMsgType: z.string().optional(),
  lastMsg: z.string().optional().describe("with needLastMsg=1: the last message as querySessionMsg shows it, as a JSON string"),
  unreadCount: z.number().int().describe("Nimbus: unread messages for this account"),
};

/** A p2p session names the peer (`accid`), a team session its `tid` (msg-format.ts nimSession()). */
const session = z.discriminatedUnion("sessionType", [
  z.object({ sessionType: z.literal(0).describe("p2p"), accid: z.string(), ...sessionFields }).strict(),
  z.object({ sessionType: z.literal(1).describe("team"), tid: z.number().int(), ...sessionFields }).strict(),
]);

/** An app-wide broadcast (msg/broadcastMsg, history/queryBroadcastMsg*), the keys NIM's SDKs read. */
const broadcast = z
  .object({
    broadcastId: z.number().int(),
    from: z.string().optional().describe("absent when the app sent it without from"),
    body: z.string(),
    targetOs: z.array(z.string()).optional().describe("absent: every system"),
    isOffline: z.boolean(),
    createTime: z.number().int().describe("ms since the epoch"),
    expireTime: z.number().int().describe("ms since the epoch"),
  })
  .strict();

/** Where an uploaded file is served (msg/upload, msg/fileUpload). */
const fileUrl = z.object({ url: z.string().describe("the URL the node serves the file at") });

export const msgAnswers: AnswerSchemas = {
  "msg/sendMsg": z.object({
    data: z
      .object({
        msgid: z.number().int().describe("the server's message id"),
        timetag: z.number().int().describe("send time, ms since the epoch"),
        antispam: z.boolean(),
      })
      .strict(),
  }),
  "msg/sendBatchMsg": z.object({
    unregister: z.array(z.string()).describe("recipients that do not exist"),
    timetag: z.number().int(),
    msgids: z.record(z.string(), z.number().int()).optional().describe("with returnMsgid: each recipient's msgid"),
  }),
  "msg/markReadMsg": z.object({
    data: z.object({ timestamp: z.number().int().describe("the receipt's time, ms since the epoch") }).strict(),
  }),
  "msg/recall": empty,
  "msg/delMsgOneWay": empty,
  "msg/sendAttachMsg": empty,
  "msg/sendBatchAttachMsg": z.object({ unregister: z.array(z.string()).describe("recipients that do not exist") }),
  "history/querySessionMsg": z.object({ size: z.number().int(), msgs: z.array(historyMessage) }),
  "history/querySessionList": z.object({
    data: z.object({ hasMore: z.boolean(), sessions: z.array(session) }).strict(),
  }),
  "msg/markReadTeamMsg": z.object({
    data: z.object({ errMsgIds: z.array(z.number().int()).describe("msgids given that are not messages of the team") }).strict(),
  }),
  "msg/delMsg": empty,
  "msg/delRoamSession": empty,
  "history/queryTeamMsg": z.object({ size: z.number().int(), msgs: z.array(historyMessage) }),
  "msg/broadcastMsg": z.object({ msg: broadcast }),
  "history/queryBroadcastMsg": z.object({ msgs: z.array(broadcast).describe("newest first") }),
  "history/queryBroadcastMsgById": z.object({ msg: broadcast }),
  "history/delBroadcastMsgById": empty,
  "msg/upload": fileUrl,
  "msg/fileUpload": fileUrl,
  "job/nos/del": z.object({
    data: z.object({ taskid: z.string().describe("the deletion's id; it is done when the call answers") }).strict(),
  }),
};
