import type { TeamChanges } from "../contracts/team.ts";

/**
 * A team operation a device asked for, as the app server's callback (NIM §4.3, eventTypes 7–19)
 * needs to see it before it happens. The server API's operations are never called back (NIM), so
 * only the realtime link's edge makes these.
 */
export type ClientTeamOperation =
  | { op: "create"; tname: string; members: string[]; msg: string; beinvitemode: 0 | 1 }
  | { op: "dismiss"; tid: string }
  | { op: "invite"; tid: string; members: string[]; msg: string }
  | { op: "leave"; tid: string }
  | { op: "managers"; tid: string; members: string[]; add: boolean }
  | { op: "changeOwner"; tid: string; newOwner: string; leave: boolean }
  | { op: "kick"; tid: string; members: string[] }
  | { op: "update"; tid: string; changes: TeamChanges }
  | { op: "updateMember"; tid: string; accid: string; nick?: string; custom?: string }
  | { op: "muteMember"; tid: string; accid: string; mute: boolean }
  | { op: "apply"; tid: string; msg: string };

/** The device that asked. */
export interface TeamOperationOrigin {
  appKey: string;
  accid: string;
  clientType: string;
  deviceId: string;
}

/**
 * Lets a device's team operation go ahead (resolves) or refuses it (rejects with the app server's
 * code, as a NimbusError); the edge calls it before the service.
 */
export type TeamOperationCheck = (origin: TeamOperationOrigin, operation: ClientTeamOperation) => Promise<void>;
