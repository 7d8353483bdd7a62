import {
  TeamRequests,
  type CreateTeamRequest,
  type JoinMode,
  type TeamInfo,
  type TeamMember,
  type TeamMuteType,
  type TeamView,
} from "../protocol/team.ts";

/** Settings a team update may change. */
export type TeamSettings = Partial<
  Pick<TeamInfo, "tname" | "announcement" | "intro" | "custom" | "icon" | "beinvitemode" | "invitemode" | "uptinfomode" | "upcustommode">
> & { joinmode?: JoinMode };

type Request = <T>(type: string, body?: unknown) => Promise<T>;

/**
 * Advanced teams from a device (`client.teams`), acting as the logged-in account. Every call
 * rejects with NIM's code on refusal: 802 no permission, 803 no such team, 804 not a member,
 * 801 full, 809 already a member, 812 muted… Team messages go through the client's messaging
 * calls with `to` / `peer` = `team:<tid>` (e.g. `client.sendText("team:1001", "hi")`); team
 * notifications come as `message` (type 5) and `teamNotification` events, invitations and
 * applications as `teamInvite` and `teamApply` pushes (see `client.on("event")`).
 */
export class TeamsClient {
  constructor(private readonly request: Request) {}

  /** Creates a team owned by this account; `members` are invited (beinvitemode 1: they join at once). */
  create(req: CreateTeamRequest): Promise<{ tid: string }> {
    return this.request(TeamRequests.CREATE, req);
  }

  invite(tid: string, members: string[], msg?: string): Promise<{ added: string[]; invited: string[] }> {
    return this.request(TeamRequests.INVITE, { tid, members, ...(msg !== undefined && { msg }) });
  }

  kick(tid: string, members: string[]): Promise<null> {
    return this.request(TeamRequests.KICK, { tid, members });
  }

  leave(tid: string): Promise<null> {
    return this.request(TeamRequests.LEAVE, { tid });
  }

  dismiss(tid: string): Promise<null> {
    return this.request(TeamRequests.DISMISS, { tid });
  }

  update(tid: string, settings: TeamSettings): Promise<TeamInfo> {
    return this.request(TeamRequests.UPDATE, { tid, ...settings });
  }

  /** The team and its members (members only). */
  get(tid: string): Promise<TeamView> {
    return this.request(TeamRequests.GET, { tid });
  }

  /** This account's teams. */
  list(): Promise<TeamInfo[]> {
    return this.request(TeamRequests.LIST, {});
  }

  /** Asks to join: `joined` at once (joinmode 0), or after a manager's approval (joinmode 1). */
  apply(tid: string, msg?: string): Promise<{ joined: boolean }> {
    return this.request(TeamRequests.APPLY, { tid, ...(msg !== undefined && { msg }) });
  }

  answerApply(tid: string, accid: string, pass: boolean): Promise<{ joined: boolean }> {
    return this.request(TeamRequests.ANSWER_APPLY, { tid, accid, pass });
  }

  answerInvite(tid: string, accept: boolean): Promise<{ joined: boolean }> {
    return this.request(TeamRequests.ANSWER_INVITE, { tid, accept });
  }

  addManagers(tid: string, members: string[]): Promise<null> {
    return this.request(TeamRequests.MANAGERS, { tid, members, add: true });
  }

  removeManagers(tid: string, members: string[]): Promise<null> {
    return this.request(TeamRequests.MANAGERS, { tid, members, add: false });
  }

  changeOwner(tid: string, newOwner: string, leave: boolean): Promise<null> {
    return this.request(TeamRequests.CHANGE_OWNER, { tid, newOwner, leave });
  }

  muteMember(tid: string, accid: string, mute: boolean): Promise<null> {
    return this.request(TeamRequests.MUTE_MEMBER, { tid, accid, mute });
  }

  muteAll(tid: string, muteType: TeamMuteType): Promise<null> {
    return this.request(TeamRequests.MUTE_ALL, { tid, muteType });
  }

  /** Sets a member's team nick / custom field (oneself by default). */
  updateMember(tid: string, change: { accid?: string; nick?: string; custom?: string }): Promise<TeamMember> {
    return this.request(TeamRequests.UPDATE_MEMBER, { tid, ...change });
  }
}
