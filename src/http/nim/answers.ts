import { z } from "zod";

/**
 * What each server-API endpoint answers on success, beside `code: 200`: the keys NIM names
 * (`info`, `data`, `uinfos`, …) and their shapes. One zod schema per endpoint, keyed
 * `module/action`; the OpenAPI document is generated from these, and a test
 * (test/api/openapi-answers.test.ts) parses every endpoint's real answer with the same schema, so
 * the description cannot drift from what is sent. A new endpoint adds its schema here.
 */
const empty = z.object({}).describe("no keys beside code");

const tokenInfo = z.object({
  info: z
    .object({
      accid: z.string(),
      token: z.string().describe("the account's token: shown only here, stored as a salted hash"),
      name: z.string().optional(),
    })
    .strict(),
});

const muteFlags = {
  muteP2P: z.boolean(),
  muteTeam: z.boolean(),
  muteRoom: z.boolean(),
  muteQChat: z.boolean(),
};

const uinfo = z
  .object({
    accid: z.string(),
    name: z.string(),
    icon: z.string(),
    sign: z.string(),
    email: z.string(),
    birth: z.string(),
    mobile: z.string(),
    gender: z.number().int().describe("0 unknown, 1 male, 2 female"),
    ex: z.string(),
    valid: z.boolean().describe("false while blocked"),
    mute: z.boolean(),
    ...muteFlags,
  })
  .strict()
  .describe('every key; a profile string never set is "" (NIM\'s official SDKs read each key)');

const deviceStatus = z
  .object({
    loginTime: z.number().int(),
    clientType: z.number().int().describe("NIM's number: 1 AOS, 2 IOS, 4 PC, 16 WEB, 64 MAC, 65 HARMONY"),
  })
  .strict();

const friend = z
  .object({
    faccid: z.string(),
    alias: z.string(),
    ex: z.string(),
    serverex: z.string(),
    bidirection: z.boolean(),
    createtime: z.number().int(),
    updatetime: z.number().int(),
  })
  .strict();

const historyMessage = z
  .object({
    from: z.string(),
    to: z.string(),
    msgid: z.number().int(),
    msgidclient: z.string(),
    sendtime: z.number().int().describe("ms since the epoch"),
    type: z.number().int(),
    fromclienttype: z.number().int(),
    body: z.string().describe("the message body as a JSON string"),
    ext: z.string().optional(),
    seq: z.number().int().describe("Nimbus: gap-free position in the conversation"),
    recalled: z.boolean().optional(),
  })
  .strict();

const session = z
  .object({
    sessionType: z.number().int().describe("0 p2p"),
    accid: z.string(),
    updateTime: z.number().int(),
    lastMsgType: z.string().optional(),
    lastMsg: z.string().optional().describe("with needLastMsg=1: the last message as querySessionMsg shows it, as a JSON string"),
    unreadCount: z.number().int().describe("Nimbus: unread messages for this account"),
  })
  .strict();

export const nimAnswers: Readonly<Record<string, z.ZodObject>> = {
  "user/create": tokenInfo,
  "user/update": empty,
  "user/refreshToken": tokenInfo,
  "user/block": empty,
  "user/unblock": empty,
  "user/mute": empty,
  "user/muteModule": z.object({ data: z.object(muteFlags).strict().describe("the account's flags after the change") }),
  "user/setDonnop": empty,
  "user/updateUinfo": empty,
  "user/getUinfos": z.object({ uinfos: z.array(uinfo).describe("existing accounts only, in the order asked") }),
  "user/setSpecialRelation": empty,
  "user/listBlackAndMuteList": z.object({ blacklist: z.array(z.string()), mutelist: z.array(z.string()) }),
  "user/userOnlineStatus": z.object({
    data: z
      .object({
        invalidAccids: z.array(z.string()).describe("malformed or unregistered ids, as given"),
        onlineStatusList: z
          .array(z.object({ accid: z.string(), statusList: z.array(deviceStatus) }).strict())
          .describe("accounts with a device online (offline ones are not listed); what NIM's Go SDK reads"),
        status: z.record(z.string(), z.array(deviceStatus)).describe("the same, keyed by accid; what NIM's Java SDK reads"),
      })
      .strict(),
  }),
  "friend/add": empty,
  "friend/update": empty,
  "friend/delete": empty,
  "friend/get": z.object({ size: z.number().int(), friends: z.array(friend) }),
  "friend/getByAccid": z.object({ friend }),
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
};
