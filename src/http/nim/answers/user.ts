import { z } from "zod";
import { empty, type AnswerSchemas } from "./shared.ts";

/** Answers of `user/*` and `friend/*`. */

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

export const userAnswers: AnswerSchemas = {
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
};
