import { z } from "zod";
import { empty, historyMessage, type AnswerSchemas } from "./shared.ts";

/** Answers of `superteam/*` (src/http/nim/superteam-*.ts). */

const int = () => z.number().int();

const faccid = z
  .object({ accid: z.array(z.string()), msg: z.string() })
  .strict()
  .optional()
  .describe("only when some accounts were left out");

/** superteam-params.ts nimSuperTeam(). */
const tinfo = z
  .object({
    tid: int(),
    tname: z.string(),
    creator: z.string(),
    owner: z.string(),
    tlevel: int().describe("member limit"),
    size: int(),
    intro: z.string(),
    announcement: z.string(),
    clientCustom: z.string(),
    serverCustom: z.string(),
    icon: z.string(),
    muteType: int().describe("0 none, 1 normal members muted, 3 everyone"),
    joinmode: int(),
    beinvitemode: int(),
    invitemode: int(),
    uptinfomode: int(),
    upcustommode: int(),
    createtime: int(),
    updatetime: int(),
  })
  .strict();

/** superteam-params.ts nimSuperMember(). */
const member = z
  .object({
    tid: int(),
    accid: z.string(),
    type: int().describe("0 member, 1 owner, 2 manager"),
    nick: z.string(),
    custom: z.string(),
    mute: int().describe("1 muted"),
    silentType: int().describe("1 notifications off"),
    invitor: z.string(),
    jointime: int(),
    createtime: int(),
    updatetime: int(),
  })
  .strict();

export const superTeamAnswers: AnswerSchemas = {
  "superteam/create": z.object({ tid: int(), faccid }),
  "superteam/dismiss": empty,
  "superteam/invite": z.object({ faccid }),
  "superteam/kick": empty,
  "superteam/leave": empty,
  "superteam/changeOwner": empty,
  "superteam/addManager": empty,
  "superteam/removeManager": empty,
  "superteam/mute": empty,
  "superteam/muteTlist": empty,
  "superteam/changeLevel": empty,
  "superteam/updateTinfo": empty,
  "superteam/getTinfos": z.object({ tinfos: z.array(tinfo) }),
  "superteam/getTlists": z.object({ tlists: z.array(member) }),
  "superteam/getMuteTlists": z.object({ muteTlists: z.array(member) }),
  "superteam/joinTeams": z.object({ tinfos: z.array(tinfo) }),
  "superteam/updateTlist": empty,
  "superteam/updateTeamNick": empty,
  "superteam/sendMsg": z.object({ data: z.object({ msgid: int(), timetag: int(), antispam: z.boolean() }).strict() }),
  "superteam/sendAttachMsg": empty,
  "superteam/recallMsg": empty,
  "superteam/queryHistoryMsg": z.object({ size: int(), tid: int(), msgs: z.array(historyMessage) }),
  "superteam/queryHistoryMsgByIds": z.object({ msgs: z.array(historyMessage) }),
};
