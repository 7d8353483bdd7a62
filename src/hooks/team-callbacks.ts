import type { ClientTeamOperation, TeamOperationOrigin } from "../teams/mod.ts";
import type { CallbackClient } from "./callbacks.ts";
import type { CallbackBody } from "./events.ts";
import { refusal } from "./hooks.ts";

/** NIM's callback eventTypes for a device's team operations (nim-server-api.md §4.3). */
export const TeamCallbackEvent = {
  CREATE: 7,
  DISMISS: 8,
  INVITE: 9,
  LEAVE: 10,
  ADD_MANAGER: 11,
  REMOVE_MANAGER: 12,
  TRANSFER: 13,
  KICK: 14,
  UPDATE_INFO: 15,
  UPDATE_OWN_MEMBER_INFO: 16,
  UPDATE_OTHERS_MEMBER_INFO: 17,
  MUTE_MEMBER: 18,
  APPLY: 19,
} as const;

/** The operation's eventType and the fields of its own, beside those every team callback has. */
function describe(op: ClientTeamOperation, accid: string): { eventType: number; fields: CallbackBody } {
  switch (op.op) {
    case "create":
      return {
        eventType: TeamCallbackEvent.CREATE,
        fields: { tname: op.tname, inviteList: op.members, msg: op.msg, beinvitemode: String(op.beinvitemode) },
      };
    case "dismiss":
      return { eventType: TeamCallbackEvent.DISMISS, fields: {} };
    case "invite":
      return { eventType: TeamCallbackEvent.INVITE, fields: { inviteList: op.members, msg: op.msg } };
    case "leave":
      return { eventType: TeamCallbackEvent.LEAVE, fields: {} };
    case "managers":
      return { eventType: op.add ? TeamCallbackEvent.ADD_MANAGER : TeamCallbackEvent.REMOVE_MANAGER, fields: { managerList: op.members } };
    case "changeOwner":
      return { eventType: TeamCallbackEvent.TRANSFER, fields: { newOwner: op.newOwner, leave: String(op.leave) } };
    case "kick":
      return { eventType: TeamCallbackEvent.KICK, fields: { kickList: op.members } };
    case "update": {
      const fields: CallbackBody = {};
      for (const [k, v] of Object.entries(op.changes)) if (v !== undefined) fields[k] = String(v);
      return { eventType: TeamCallbackEvent.UPDATE_INFO, fields };
    }
    case "updateMember":
      return {
        eventType: op.accid === accid ? TeamCallbackEvent.UPDATE_OWN_MEMBER_INFO : TeamCallbackEvent.UPDATE_OTHERS_MEMBER_INFO,
        fields: { accid: op.accid, ...(op.nick !== undefined && { nick: op.nick }), ...(op.custom !== undefined && { custom: op.custom }) },
      };
    case "muteMember":
      return { eventType: TeamCallbackEvent.MUTE_MEMBER, fields: { accid: op.accid, mute: String(op.mute) } };
    case "apply":
      return { eventType: TeamCallbackEvent.APPLY, fields: { msg: op.msg } };
  }
}

/**
 * The callbacks before a device's team operations (7–19). The body follows the one NIM documents
 * for a super team's invite (23): `eventType`, `tid`, `fromAccount`, `fromDeviceId`,
 * `fromClientType`, `timestamp`, and the operation's own fields (lists as arrays). Refused: the
 * device gets 403 or the app's `responseCode`, and nothing changes; a failed call goes as the
 * app's `onFailure` says and is told as data sync 83.
 */
export class TeamCallbacks {
  constructor(private readonly callbacks: CallbackClient) {}

  async check(origin: TeamOperationOrigin, operation: ClientTeamOperation): Promise<void> {
    const { eventType, fields } = describe(operation, origin.accid);
    if (!this.callbacks.applies(origin.appKey, eventType)) return;
    const tid = operation.op === "create" ? undefined : operation.tid;
    const body: CallbackBody = {
      eventType: String(eventType),
      ...(tid !== undefined && { tid }),
      fromAccount: origin.accid,
      fromClientType: origin.clientType,
      fromDeviceId: origin.deviceId,
      ...fields,
      timestamp: String(Date.now()),
    };
    // A failure (83) is ordered with the team's other events; a new team's with its creator's.
    const partitionKey = tid !== undefined ? `team/${origin.appKey}/${tid}` : `user/${origin.appKey}/${origin.accid}`;
    const verdict = await this.callbacks.call(origin.appKey, body, partitionKey);
    if (!verdict.allow) throw refusal(verdict);
  }
}
