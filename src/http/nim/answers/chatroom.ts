import { z } from "zod";
import { empty, type AnswerSchemas } from "./shared.ts";

/**
 * Answers of `chatroom/*` and history/queryChatroomMsg (src/http/nim/chatroom-*.ts). NIM answers
 * many of them under `desc`, not `data`; Nimbus keeps its keys.
 */

const int = () => z.number().int();

const room = z
  .object({
    roomid: int(),
    creator: z.string(),
    name: z.string(),
    announcement: z.string(),
    broadcasturl: z.string(),
    ext: z.string(),
    queuelevel: int().describe("0 anyone may change the queue, 1 managers and the creator only"),
    valid: z.boolean().describe("false while closed"),
    muted: z.boolean(),
    ionotify: z.boolean().describe("whether entering and leaving are announced"),
    onlineusercount: int().optional().describe("with needOnlineUserCount"),
    delayInfo: z
      .object({
        delayCloseEnable: z.boolean(),
        delayClosePolicy: int().describe("0 none, 1 close delaySeconds after startTime, 2 close after delaySeconds with nobody in"),
        delaySeconds: int(),
        status: int().describe("0 no policy, 1 open, 2 closed"),
        startTime: int().describe("when the policy was set, ms since the epoch; 0 without one"),
      })
      .strict(),
  })
  .strict();

const member = z
  .object({
    roomid: int(),
    accid: z.string(),
    nick: z.string(),
    avator: z.string().describe("NIM's spelling"),
    ext: z.string(),
    type: z.string().describe("CREATOR, MANAGER, COMMON, LIMITED, GUEST, ANONYMOUS, …"),
    level: int(),
    onlineStat: z.boolean(),
    enterTime: int(),
    blacklisted: z.boolean(),
    muted: z.boolean(),
    tempMuted: z.boolean(),
    tempMuteTtl: int().describe("seconds left"),
    isRobot: z.boolean(),
    robotExpirAt: int().describe("NIM's spelling"),
  })
  .strict();

const members = z.object({ desc: z.object({ data: z.array(member) }).strict() });

/** A message kept in the room (sendMsg's desc, history's msgs): chatroom-msg.ts restMessage(). */
const messageFields = {
  roomId: int(),
  msgid: int().describe("the server's message id"),
  msgid_client: z.string(),
  seq: int().describe("Nimbus: gap-free position in the room"),
  fromAccount: z.string(),
  fromNick: z.string(),
  fromAvator: z.string(),
  fromClientType: z.string().describe('"REST" when sent through the server API'),
  time: int().describe("ms since the epoch"),
  type: int(),
  attach: z.string(),
  ext: z.string(),
  highPriorityFlag: int().describe("1 high priority"),
};

/** A message to some members or to every room: not kept, so no seq, nick or ext. */
const unkeptFields = {
  msgid: int(),
  msgid_client: z.string(),
  fromAccount: z.string(),
  time: int(),
  type: int(),
  attach: z.string(),
};

const batchFail = z.object({ msgId: z.string(), code: int(), desc: z.string() }).strict();

const queueList = z.object({
  desc: z.object({ list: z.array(z.record(z.string(), z.string())).describe("each element as {key: value}, in queue order") }).strict(),
});

export const chatroomAnswers: AnswerSchemas = {
  "chatroom/create": z.object({ chatroom: room }),
  "chatroom/get": z.object({ chatroom: room }),
  "chatroom/getBatch": z.object({
    succRooms: z.array(room),
    noExistRooms: z.array(int()),
    failRooms: z.array(int()).describe("roomids that could not be read now"),
  }),
  "chatroom/update": z.object({ chatroom: room }),
  "chatroom/toggleCloseStat": z.object({ desc: room }),
  "chatroom/updateInOutNotification": z.object({ desc: room }),
  "chatroom/updateDelayClosePolicy": z.object({ chatroom: room }),
  "chatroom/requestAddr": z.object({ addr: z.array(z.string()).describe("host:port of the live nodes' gateways") }),
  "chatroom/queryUserRoomIds": z.object({ desc: z.object({ roomids: z.array(int()) }).strict() }),
  "chatroom/setMemberRole": z.object({
    desc: z.object({ roomid: int(), level: int(), accid: z.string(), type: z.string() }).strict(),
  }),
  "chatroom/temporaryMute": z.object({ desc: z.object({ muteDuration: int().describe("seconds") }).strict() }),
  "chatroom/muteRoom": z.object({ desc: z.object({ success: z.literal(true) }).strict() }),
  "chatroom/kickMember": empty,
  "chatroom/membersByPage": members,
  "chatroom/queryMembers": members,
  "chatroom/queryMembersByRole": members,
  "chatroom/addRobot": z.object({
    desc: z.object({ successAccids: z.array(z.string()), failAccids: z.array(z.string()), oldAccids: z.array(z.string()) }).strict(),
  }),
  "chatroom/removeRobot": z.object({
    desc: z.object({ successAccids: z.array(z.string()), failAccids: z.array(z.string()) }).strict(),
  }),
  "chatroom/cleanRobot": z.object({ desc: z.object({ size: int().describe("robots removed") }).strict() }),
  "chatroom/updateMyRoomRole": empty,
  "chatroom/queueInit": empty,
  "chatroom/queueOffer": empty,
  "chatroom/queuePoll": z.object({
    desc: z
      .union([z.object({ key: z.string(), value: z.string() }).strict(), z.object({}).strict()])
      .describe("the element taken, or {} when the queue (or key) had none"),
  }),
  "chatroom/queueList": queueList,
  "chatroom/queueMultiGet": queueList,
  "chatroom/queueDrop": empty,
  "chatroom/queueBatchOffer": z.object({
    desc: z
      .object({
        failedKeys: z.array(z.string()).describe("keys not offered: the queue was full"),
        highPriority: z.boolean().describe("whether the change was sent as high priority (as asked)"),
      })
      .strict(),
  }),
  "chatroom/queueBatchUpdateElements": z.object({
    desc: z.object({ noExistElementKey: z.array(z.string()).describe("keys not in the queue (left alone)") }).strict(),
  }),
  "chatroom/sendMsg": z.object({ desc: z.object({ ...messageFields, msgAbandonFlag: int() }).strict() }),
  "chatroom/recall": empty,
  "chatroom/deleteHistoryMessage": empty,
  "chatroom/sendMsgToSomeone": z.object({ desc: z.object({ roomId: int(), ...unkeptFields }).strict() }),
  "chatroom/batchSendMsg": z.object({
    desc: z
      .object({
        success: z.array(z.object({ msgId: z.string(), msgid: int(), time: int(), seq: int() }).strict()),
        fail: z.array(batchFail),
      })
      .strict(),
  }),
  "chatroom/batchSendMsgToSomeone": z.object({
    desc: z
      .object({
        success: z.array(z.object({ msgId: z.string(), msgid: int(), time: int() }).strict()),
        fail: z.array(batchFail).describe("Nimbus: always empty; a refusal fails the whole call"),
      })
      .strict(),
  }),
  "chatroom/broadcast": z.object({ desc: z.object(unkeptFields).strict() }),
  "history/queryChatroomMsg": z.object({
    size: int(),
    msgs: z.array(
      z
        .object({
          ...messageFields,
          recalled: z.literal(true).optional(),
          from: z.string().describe("NIM's history key: the sender (as fromAccount)"),
          sendtime: int().describe("NIM's history key: as time"),
          fromclienttype: int().describe("NIM's number: 1 AOS, 2 IOS, 4 PC, 16 WEB, 32 REST, 64 MAC, 65 HARMONY"),
          body: z.string().describe("NIM's history key: as attach"),
        })
        .strict(),
    ),
  }),
};
