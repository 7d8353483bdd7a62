import { z } from "zod";
import { ACCID_PATTERN } from "../protocol/accid.ts";
import { NimbusError } from "../protocol/errors.ts";
import { TeamRequests, type TeamInfo, type TeamMember, type TeamView } from "../protocol/team.ts";
import { requiredText, text } from "../protocol/text-schema.ts";
import type { TeamChanges } from "../contracts/team.ts";
import type { TeamsService } from "../teams/service.ts";
import type { ClientTeamOperation, TeamOperationCheck } from "../teams/operations.ts";
import { parseBody } from "./messaging-schemas.ts";
import type { DeviceContext, RequestHandler } from "./requests.ts";

/**
 * The devices' team requests (protocol/team.ts TeamRequests), thin edges over the teams service:
 * the body is checked here (414 naming the field), the one who acts is the session's account —
 * never a field of the body — and the service's NIM codes pass through unchanged. A device's
 * operation is first put to the app server's callback (7–19) when the node has one (`check()`).
 */

const accid = z
  .string({ error: "required" })
  .regex(ACCID_PATTERN, "1 to 32 of letters, digits and _ @ . -")
  .transform((s) => s.toLowerCase());
const tid = z.string({ error: "required" }).regex(/^[1-9]\d{0,15}$/, "must be a team id");
const accids = (max: number) =>
  z
    .array(accid, { error: "must be a list of account ids" })
    .min(1, "must not be empty")
    .max(max, `at most ${max}`)
    .transform((l) => [...new Set(l)]);
const bit = z.union([z.literal(0), z.literal(1)], { error: "must be 0 or 1" });
const joinmode = z.union([z.literal(0), z.literal(1), z.literal(2)], { error: "must be 0, 1 or 2" });

const settings = {
  tname: requiredText(64).optional(),
  announcement: text(1024).optional(),
  intro: text(512).optional(),
  custom: text(1024).optional(),
  icon: text(1024).optional(),
  joinmode: joinmode.optional(),
  beinvitemode: bit.optional(),
  invitemode: bit.optional(),
  uptinfomode: bit.optional(),
  upcustommode: bit.optional(),
};

const createSchema = z.object({
  ...settings,
  tname: requiredText(64),
  members: z.array(accid).max(199, "at most 199").default([]),
  msg: text(150).optional(),
});
const tidOnly = z.object({ tid });
const inviteSchema = z.object({ tid, members: accids(200), msg: text(150).optional() });
const kickSchema = z.object({ tid, members: accids(200) });
const updateSchema = z.object({ tid, ...settings });
const applySchema = z.object({ tid, msg: text(150).optional() });
const answerApplySchema = z.object({ tid, accid, pass: z.boolean({ error: "must be true or false" }) });
const answerInviteSchema = z.object({ tid, accept: z.boolean({ error: "must be true or false" }) });
const managersSchema = z.object({ tid, members: accids(10), add: z.boolean({ error: "must be true or false" }) });
const changeOwnerSchema = z.object({ tid, newOwner: accid, leave: z.boolean({ error: "must be true or false" }) });
const muteMemberSchema = z.object({ tid, accid, mute: z.boolean({ error: "must be true or false" }) });
const muteAllSchema = z.object({ tid, muteType: z.union([z.literal(0), z.literal(1), z.literal(3)], { error: "must be 0, 1 or 3" }) });
const updateMemberSchema = z.object({ tid, accid: accid.optional(), nick: text(32).optional(), custom: text(1024).optional() });

function changesOf(p: z.output<typeof updateSchema>): TeamChanges {
  const { tid: _t, ...rest } = p;
  const changes: TeamChanges = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) (changes as Record<string, unknown>)[k] = v;
  return changes;
}

export function registerTeamRequests(
  register: (type: string, handler: RequestHandler) => void,
  teams: TeamsService,
  check: () => TeamOperationCheck | undefined,
): void {
  /** The app server's callback for this device's operation, when there is one; rejects with its refusal. */
  const before = async (device: DeviceContext, operation: ClientTeamOperation): Promise<void> => {
    const c = check();
    if (!c) return;
    const { appKey, accid: me, clientType, deviceId } = device.session;
    await c({ appKey, accid: me, clientType, deviceId }, operation);
  };

  register(TeamRequests.CREATE, async (device, body): Promise<{ tid: string }> => {
    const p = parseBody(createSchema, body, "team.create");
    const { appKey, accid: me } = device.session;
    const beinvitemode = p.beinvitemode ?? 0;
    const members = p.members.filter((a) => a !== me);
    await before(device, { op: "create", tname: p.tname, members, msg: p.msg ?? "", beinvitemode });
    const r = await teams.create(appKey, {
      owner: me,
      members,
      // A device's invitees agree unless the team says they need not (beinvitemode 1).
      magree: beinvitemode === 0,
      msg: p.msg ?? "",
      info: {
        tname: p.tname,
        icon: p.icon ?? "",
        announcement: p.announcement ?? "",
        intro: p.intro ?? "",
        custom: p.custom ?? "",
        joinmode: p.joinmode ?? 0,
        beinvitemode,
        invitemode: p.invitemode ?? 0,
        uptinfomode: p.uptinfomode ?? 0,
        upcustommode: p.upcustommode ?? 0,
      },
    });
    return { tid: r.tid };
  });

  register(TeamRequests.INVITE, async (device, body) => {
    const p = parseBody(inviteSchema, body, "team.invite");
    await before(device, { op: "invite", tid: p.tid, members: p.members, msg: p.msg ?? "" });
    const { added, invited } = await teams.invite(device.session.appKey, {
      tid: p.tid,
      by: device.session.accid,
      members: p.members,
      magree: false,
      msg: p.msg ?? "",
      byServer: false,
    });
    return { added, invited };
  });

  register(TeamRequests.KICK, async (device, body) => {
    const p = parseBody(kickSchema, body, "team.kick");
    await before(device, { op: "kick", tid: p.tid, members: p.members });
    await teams.kick(device.session.appKey, { tid: p.tid, by: device.session.accid, members: p.members });
    return null;
  });

  register(TeamRequests.LEAVE, async (device, body) => {
    const p = parseBody(tidOnly, body, "team.leave");
    await before(device, { op: "leave", tid: p.tid });
    await teams.leave(device.session.appKey, { tid: p.tid, accid: device.session.accid });
    return null;
  });

  register(TeamRequests.DISMISS, async (device, body) => {
    const p = parseBody(tidOnly, body, "team.dismiss");
    await before(device, { op: "dismiss", tid: p.tid });
    await teams.dismiss(device.session.appKey, { tid: p.tid, by: device.session.accid });
    return null;
  });

  register(TeamRequests.UPDATE, async (device, body): Promise<TeamInfo> => {
    const p = parseBody(updateSchema, body, "team.update");
    const changes = changesOf(p);
    if (Object.keys(changes).length === 0) throw new NimbusError("PARAM_ERROR", "tname: nothing to change");
    await before(device, { op: "update", tid: p.tid, changes });
    return teams.update(device.session.appKey, { tid: p.tid, by: device.session.accid, changes, byServer: false });
  });

  register(TeamRequests.GET, async (device, body): Promise<TeamView> => {
    const p = parseBody(tidOnly, body, "team.get");
    const view = await teams.get(device.session.appKey, p.tid);
    if (!view.members.some((m) => m.accid === device.session.accid)) {
      throw new NimbusError("TEAM_NOT_MEMBER", `tid: ${device.session.accid} is not a member of team ${p.tid}`);
    }
    return view;
  });

  register(TeamRequests.LIST, async (device): Promise<TeamInfo[]> => {
    const views = await teams.joined(device.session.appKey, device.session.accid);
    return views.map((v) => v.info);
  });

  register(TeamRequests.APPLY, async (device, body) => {
    const p = parseBody(applySchema, body, "team.apply");
    await before(device, { op: "apply", tid: p.tid, msg: p.msg ?? "" });
    return teams.apply(device.session.appKey, { tid: p.tid, accid: device.session.accid, msg: p.msg ?? "" });
  });

  register(TeamRequests.ANSWER_APPLY, (device, body) => {
    const p = parseBody(answerApplySchema, body, "team.answerApply");
    return teams.answerApply(device.session.appKey, { tid: p.tid, by: device.session.accid, accid: p.accid, pass: p.pass });
  });

  register(TeamRequests.ANSWER_INVITE, (device, body) => {
    const p = parseBody(answerInviteSchema, body, "team.answerInvite");
    return teams.answerInvite(device.session.appKey, { tid: p.tid, accid: device.session.accid, accept: p.accept });
  });

  register(TeamRequests.MANAGERS, async (device, body) => {
    const p = parseBody(managersSchema, body, "team.managers");
    await before(device, { op: "managers", tid: p.tid, members: p.members, add: p.add });
    await teams.managers(device.session.appKey, { tid: p.tid, by: device.session.accid, members: p.members, add: p.add });
    return null;
  });

  register(TeamRequests.CHANGE_OWNER, async (device, body) => {
    const p = parseBody(changeOwnerSchema, body, "team.changeOwner");
    await before(device, { op: "changeOwner", tid: p.tid, newOwner: p.newOwner, leave: p.leave });
    await teams.changeOwner(device.session.appKey, { tid: p.tid, by: device.session.accid, newOwner: p.newOwner, leave: p.leave });
    return null;
  });

  register(TeamRequests.MUTE_MEMBER, async (device, body) => {
    const p = parseBody(muteMemberSchema, body, "team.muteMember");
    await before(device, { op: "muteMember", tid: p.tid, accid: p.accid, mute: p.mute });
    await teams.muteMember(device.session.appKey, { tid: p.tid, by: device.session.accid, accid: p.accid, mute: p.mute });
    return null;
  });

  register(TeamRequests.MUTE_ALL, async (device, body) => {
    const p = parseBody(muteAllSchema, body, "team.muteAll");
    await teams.muteAll(device.session.appKey, { tid: p.tid, by: device.session.accid, muteType: p.muteType });
    return null;
  });

  register(TeamRequests.UPDATE_MEMBER, async (device, body): Promise<TeamMember> => {
    const p = parseBody(updateMemberSchema, body, "team.updateMember");
    if (p.nick === undefined && p.custom === undefined)
      throw new NimbusError("PARAM_ERROR", "nick: nothing to change (give nick or custom)");
    const me = device.session.accid;
    await before(device, {
      op: "updateMember",
      tid: p.tid,
      accid: p.accid ?? me,
      ...(p.nick !== undefined && { nick: p.nick }),
      ...(p.custom !== undefined && { custom: p.custom }),
    });
    return teams.updateMember(device.session.appKey, {
      tid: p.tid,
      by: me,
      accid: p.accid ?? me,
      ...(p.nick !== undefined && { nick: p.nick }),
      ...(p.custom !== undefined && { custom: p.custom }),
      byServer: false,
    });
  });
}
