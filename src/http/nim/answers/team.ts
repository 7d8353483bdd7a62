import { z } from "zod";
import { empty, type AnswerSchemas } from "./shared.ts";

/** Answers of `team/*` (src/http/nim/team-*.ts). */

/** Accounts a call left out, with NIM's reason (team/create, team/add). */
const faccid = z
  .object({ accid: z.array(z.string()), msg: z.string() })
  .strict()
  .optional()
  .describe("only when some accounts were left out");

const int = () => z.number().int();

/** A team's settings, as team/query and team/queryDetail show them (team-params.ts settings()). */
const settings = {
  tid: int(),
  tname: z.string(),
  icon: z.string(),
  announcement: z.string(),
  intro: z.string(),
  custom: z.string(),
  maxusers: int(),
  joinmode: int().describe("0 anyone joins, 1 needs approval, 2 nobody may ask"),
  beinvitemode: int(),
  invitemode: int(),
  uptinfomode: int(),
  upcustommode: int(),
  muteType: int().describe("0 none, 1 normal members muted, 3 everyone"),
  mute: z.boolean(),
  createtime: int(),
  updatetime: int(),
};

const member = z
  .object({
    tid: int(),
    accid: z.string(),
    nick: z.string(),
    custom: z.string(),
    mute: z.boolean(),
    pushEnable: z.boolean(),
    type: int().describe("0 member, 1 owner, 2 manager"),
    createtime: int(),
    updatetime: int(),
  })
  .strict();

const team = z
  .object({
    ...settings,
    owner: z.string(),
    size: int(),
    admins: z.array(z.string()).optional().describe("with ope 1"),
    members: z.array(z.string()).optional().describe("with ope 1: the normal members"),
  })
  .strict();

export const teamAnswers: AnswerSchemas = {
  "team/create": z.object({ tid: z.string(), faccid }),
  "team/add": z.object({ faccid }),
  "team/kick": empty,
  "team/remove": empty,
  "team/update": empty,
  "team/changeOwner": empty,
  "team/addManager": empty,
  "team/removeManager": empty,
  "team/leave": empty,
  "team/updateTeamNick": empty,
  "team/muteTeam": empty,
  "team/muteTlist": empty,
  "team/muteTlistAll": empty,
  "team/listTeamMute": z.object({
    mutes: z.array(z.object({ accid: z.string(), nick: z.string(), tid: int(), type: int() }).strict()),
  }),
  "team/listMemberInfo": z.object({ data: z.array(member) }),
  "team/query": z.object({ tinfos: z.array(team) }),
  "team/queryDetail": z.object({
    tinfo: z
      .object({
        ...settings,
        size: int(),
        owner: member.nullable(),
        admins: z.array(member),
        members: z.array(member).describe("the normal members"),
      })
      .strict(),
  }),
  "team/joinTeams": z.object({
    count: int(),
    infos: z.array(
      z
        .object({
          tid: int(),
          tname: z.string(),
          icon: z.string(),
          owner: z.string(),
          maxusers: int(),
          size: int(),
          custom: z.string(),
          joinmode: int(),
        })
        .strict(),
    ),
  }),
  "team/getMarkReadInfo": z.object({
    data: z
      .object({
        readSize: int(),
        unreadSize: int(),
        readAccids: z.array(z.string()).optional().describe("with snapshot"),
        unreadAccids: z.array(z.string()).optional().describe("with snapshot"),
      })
      .strict(),
  }),
  "team/listOnlineUsers": z.object({
    data: z
      .object({
        count: int(),
        status: z
          .record(
            z.string(),
            z.array(
              z
                .object({ loginTime: int(), clientType: int().describe("NIM's number: 1 AOS, 2 IOS, 4 PC, 16 WEB, 64 MAC, 65 HARMONY") })
                .strict(),
            ),
          )
          .describe("the online members' devices, keyed by accid (offline members are not listed); what NIM's Java and Go SDKs read"),
      })
      .strict(),
  }),
  "team/listOnlineUserCount": z.object({
    data: z.array(z.object({ tid: int(), onlineUserCount: int(), offlineUserCount: int() }).strict()),
  }),
};
