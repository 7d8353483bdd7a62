import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { ErrorCode, matchMaker, ServerError } from "@colyseus/core";
import type { SeatReservation } from "./matchmake-routes.ts";
import type { AppRegistry } from "../apps/registry.ts";
import type { Bus } from "../bus/port.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { Membership } from "../runtime/membership.ts";
import type { PresenceView } from "../contracts/presence.ts";
import type { MessagingService } from "../messaging/service.ts";
import { NimbusError } from "../protocol/errors.ts";
import { Requests, ROOM_NAME } from "../protocol/link.ts";
import { Codes } from "../protocol/codes.ts";
import type { KickEvent } from "../protocol/user-events.ts";
import { ensureColyseusRuntime } from "./colyseus-runtime.ts";
import type { LocalDevice } from "./device-session.ts";
import { DeviceLifecycle, type Admission, type DeviceListener, type OfflineListener } from "./device-lifecycle.ts";
import type { ImRoomCreateOptions } from "./im-room.ts";
import type { LoginGrant } from "./login-grant.ts";
import { checkLogin } from "./login.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { registerMatchmakeRoutes, ResumeKickedError } from "./matchmake-routes.ts";
import { resolveGatewayOptions, type GatewayOptions } from "../config/gateway-options.ts";
import { localPresenceView } from "./presence.ts";
import { SubjectTable } from "./subject-table.ts";
import { registerBroadcastRequests } from "./broadcast-requests.ts";
import { registerSignalRequests } from "./signal-requests.ts";
import { PresenceWatch } from "./presence-watch.ts";
import { registerPresenceRequests } from "./presence-requests.ts";
import { SUBSCRIPTIONS_EVENT } from "../protocol/presence-events.ts";
import { registerMessagingRequests } from "./messaging-requests.ts";
import { RequestRegistry, type RequestHandler } from "./requests.ts";
import { Sessions } from "./sessions.ts";
import { TeamSubscriptions } from "./team-subscriptions.ts";
import { GroupSubscriptions } from "./group-subscriptions.ts";
import { superTeamSubject } from "../protocol/superteam.ts";
import type { SuperTeams } from "../teams/superteams.ts";
import { registerTeamRequests } from "./team-requests.ts";
import type { TeamsService } from "../teams/service.ts";
import type { TeamOperationCheck } from "../teams/operations.ts";
import { GatewayTransport } from "./transport.ts";
import type { NodeMetrics } from "../util/metrics.ts";
import type { ClientType } from "../protocol/link.ts";
import type { ChatroomService } from "../chatrooms/service.ts";
import { ChatroomEdges } from "./chatroom-edges.ts";

export interface GatewayDeps {
  nodeId: string;
  apps: AppRegistry;
  system: ActorSystem;
  bus: Bus;
  /** P2P messaging, for the devices' send / history / read / recall requests. */
  messaging: MessagingService;
  /** Advanced teams: the team subscriptions of local users, and the devices' team requests. */
  teams?: TeamsService;
  /** Super teams: the super team subscriptions of local users. */
  superTeams?: Pick<SuperTeams, "tidsOf">;
  log: Logger;
  options?: Partial<GatewayOptions>;
  /**
   * `host[:port][/path]` devices use to reach this very node (behind a load balancer, one per node).
   * Put in every seat reservation, so the WebSocket goes to the node that holds the seat; without it
   * the device connects to the address it logged in through.
   */
  publicAddress?: string;
  /** The node's metrics: logins by code, logouts, fan-out deliveries. */
  metrics?: NodeMetrics;
  /** Chat rooms: with them, clients may enter rooms here (`joinOrCreate("chatroom", …)`). */
  chatrooms?: ChatroomService;
  /** This node's start time as membership knows it (the chat room actors count live nodes' members). */
  nodeStartedAt?: number;
  /** The cluster's members: a member's death logs its devices out of the presence subscribers watch. */
  membership?: Membership;
}

/** Login refusals that count as a guess against the source address: wrong token, no such account. */
const GUESS_CODES: ReadonlySet<number> = new Set([Codes.LOGIN_FAILED.code, Codes.NOT_FOUND.code]);

/** How long a shutdown waits for closing handshakes before resetting what is left. */
const CLOSE_GRACE_MS = 1000;

/**
 * The realtime link of one node: Colyseus on the node's HTTP server, the `im` room, logins,
 * sessions and delivery. Build it before the HTTP server (the REST API reads `presence`), `attach`
 * it to the Fastify app before it listens, and `stop` it first when the node stops, while the
 * actors it reports to are still up.
 */
export class Gateway {
  readonly options: GatewayOptions;
  /** Online devices as the REST API sees them; local to this node for now. */
  readonly presence: PresenceView;
  private readonly hooks: DeviceLifecycle;
  private teamCheck: TeamOperationCheck | undefined;
  private readonly requests: RequestRegistry;
  /** Every bus subject this node subscribes to for its devices, counted (users and teams; chat rooms as they land). */
  private readonly subjects: SubjectTable;
  private readonly sessions: Sessions;
  private readonly loginThrottle: LoginThrottle;
  /** Online-status subscriptions: which publishers this node listens to for its subscribers' devices. */
  private readonly presenceWatch: PresenceWatch;
  private transport: GatewayTransport | undefined;
  /** The chat room edges of this node, when the node serves chat rooms. */
  readonly chatroomEdges: ChatroomEdges | undefined;
  private roomId: string | undefined;
  private state: "new" | "open" | "stopping" | "stopped" = "new";
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: GatewayDeps) {
    this.options = resolveGatewayOptions(deps.options);
    this.hooks = new DeviceLifecycle(deps.log);
    this.requests = new RequestRegistry(deps.log);
    this.subjects = new SubjectTable(deps.bus, deps.log);
    const metrics = deps.metrics;
    const teams =
      deps.teams &&
      new GroupSubscriptions(
        new TeamSubscriptions(this.subjects, deps.teams, deps.log),
        deps.superTeams && new TeamSubscriptions(this.subjects, deps.superTeams, deps.log, superTeamSubject),
      );
    this.sessions = new Sessions(
      deps.nodeId,
      this.options,
      this.subjects,
      this.hooks,
      this.requests,
      deps.log,
      (n) => metrics?.deliveries.inc(n),
      teams,
    );
    // The operator's lines: one per login and logout, at info (refusals in login()).
    this.hooks.onDeviceOnline((d) => {
      deps.log.info({ app: d.appKey, accid: d.accid, deviceId: d.deviceId, clientType: d.clientType, ip: d.ip }, "login");
    });
    this.hooks.onDeviceOffline((d, reason) => {
      metrics?.logouts.inc({ reason: reason.why });
      deps.log.info({ app: d.appKey, accid: d.accid, deviceId: d.deviceId, reason: reason.why, code: reason.code }, "logout");
    });
    this.presence = localPresenceView(this.sessions.table);
    this.loginThrottle = new LoginThrottle(this.options);
    this.presenceWatch = new PresenceWatch({
      subjects: this.subjects,
      system: deps.system,
      table: this.sessions.table,
      log: deps.log,
      ...(deps.membership && { membership: deps.membership }),
      retainDays: (appKey) => deps.apps.get(appKey)?.limits.historyDays,
    });
    this.hooks.onDeviceOnline((d) => this.presenceWatch.deviceOnline(d));
    this.hooks.onDeviceOffline((d) => this.presenceWatch.deviceOffline(d));
    this.sessions.internalEvents.set(SUBSCRIPTIONS_EVENT, (user, event) =>
      this.presenceWatch.subscriptionsChanged(user.appKey, user.accid, event),
    );
    registerPresenceRequests((type, handler) => this.requests.register(type, handler), deps);
    this.requests.register(Requests.SESSION, (device) => device.session);
    registerMessagingRequests((type, handler) => this.requests.register(type, handler), deps);
    if (deps.teams)
      registerTeamRequests(
        (type, handler) => this.requests.register(type, handler),
        deps.teams,
        () => this.teamCheck,
      );
    registerBroadcastRequests((type, handler) => this.requests.register(type, handler), deps);
    registerSignalRequests((type, handler) => this.requests.register(type, handler), deps);
    this.chatroomEdges =
      deps.chatrooms &&
      new ChatroomEdges({
        nodeId: deps.nodeId,
        nodeStartedAt: deps.nodeStartedAt ?? Date.now(),
        apps: deps.apps,
        system: deps.system,
        bus: deps.bus,
        chatrooms: deps.chatrooms,
        subjects: this.subjects,
        log: deps.log.child({ component: "chatrooms" }),
        seatReservationSeconds: this.options.seatReservationSeconds,
        outgoingBufferBytes: this.options.outgoingBufferBytes,
        ratePerSecond: this.options.ratePerSecond,
        rateBurst: this.options.rateBurst,
        verifyLogin: (body, ip) => this.verifyLogin(body, ip),
      });
  }

  /** Takes WebSocket upgrades on the app's server, mounts the matchmake routes, creates the room. */
  async attach(app: FastifyInstance): Promise<void> {
    if (this.state !== "new") throw new Error("the gateway is attached once");
    await ensureColyseusRuntime(this.deps.log);
    registerMatchmakeRoutes(app, {
      login: (body, ip) => this.login(body, ip),
      resume: (roomId, token) => this.resume(roomId, token),
      ...(this.chatroomEdges && { enterChatroom: (body: unknown, ip: string) => this.enterChatroom(body, ip) }),
    });
    this.transport = new GatewayTransport(app.server, this.options);
    const create: ImRoomCreateOptions = { delegate: this.sessions, seatReservationSeconds: this.options.seatReservationSeconds };
    const listing = await matchMaker.handleCreateRoom(ROOM_NAME, create);
    this.roomId = listing.roomId;
    this.state = "open";
  }

  /** Devices of one user connected to this node (including ones inside their resume window). */
  localDevices(appKey: string, accid: string): LocalDevice[] {
    return this.sessions.table.devicesOf(appKey, accid).map((s) => s.describe());
  }

  /** A device logged in here and acknowledged its join (not called again when it resumes). */
  onDeviceOnline(listener: DeviceListener): () => void {
    return this.hooks.onDeviceOnline(listener);
  }

  /** A device left for good: logout, kick, or its resume window passed. */
  onDeviceOffline(listener: OfflineListener): () => void {
    return this.hooks.onDeviceOffline(listener);
  }

  /** The app server's callback before a device's team operation (7–19), or none. */
  setTeamOperationCheck(check: TeamOperationCheck | undefined): void {
    this.teamCheck = check;
  }

  /** The multi-device policy's veto, run after the token check and before the seat. */
  setAdmission(admission: Admission | undefined): void {
    this.hooks.admission = admission;
  }

  /** Adds a request type devices may send. */
  handle(type: string, handler: RequestHandler): void {
    this.requests.register(type, handler);
  }

  /** Kicks devices of a user on this node only (a cluster-wide kick is a `kick` user event). */
  kickLocal(appKey: string, accid: string, kick: Omit<KickEvent, "ev">): number {
    return this.sessions.kick(appKey, accid.toLowerCase(), kick);
  }

  /** Pushes to a user's devices on this node only (cluster-wide: publish a user event). */
  pushLocal(appKey: string, accid: string, type: string, body: Record<string, unknown>): number {
    return this.sessions.push(appKey, accid.toLowerCase(), type, body);
  }

  /** Devices online on this node by client type (for the devices-online gauge). */
  devicesByClientType(): Map<ClientType, number> {
    const counts = new Map<ClientType, number>();
    for (const s of this.sessions.table.all()) {
      if (s.announced) counts.set(s.info.clientType, (counts.get(s.info.clientType) ?? 0) + 1);
    }
    return counts;
  }

  /** Local users and devices, open sockets, and the bus subjects this node holds, by kind. */
  stats(): {
    users: number;
    devices: number;
    sockets: number;
    subjects: Record<string, number>;
    chatrooms?: { rooms: number; members: number; droppedByBudget: number };
  } {
    return {
      ...this.sessions.table.counts(),
      sockets: this.transport?.openSockets ?? 0,
      subjects: this.subjects.countsByKind(),
      ...(this.chatroomEdges && { chatrooms: this.chatroomEdges.stats() }),
    };
  }

  /** Closes every device (4001: log in again elsewhere) and stops taking connections. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const wasOpen = this.state === "open";
      this.state = "stopping";
      if (wasOpen) await this.sessions.stop();
      await this.chatroomEdges?.stop();
      this.presenceWatch.stop();
      await this.transport?.stop(CLOSE_GRACE_MS);
      this.state = "stopped";
    })();
    return this.stopping;
  }

  private async login(body: unknown, ip: string): Promise<SeatReservation> {
    try {
      const seat = await this.admit(body, ip);
      this.deps.metrics?.logins.inc({ code: String(Codes.OK.code) });
      return seat;
    } catch (err) {
      const code = err instanceof NimbusError || err instanceof ServerError ? err.code : Codes.INTERNAL.code;
      this.deps.metrics?.logins.inc({ code: String(code) });
      const who = body !== null && typeof body === "object" ? (body as { appKey?: unknown; accid?: unknown }) : {};
      this.deps.log.info(
        {
          app: typeof who.appKey === "string" ? who.appKey.slice(0, 64) : undefined,
          accid: typeof who.accid === "string" ? who.accid.slice(0, 64) : undefined,
          ip,
          code,
        },
        "login refused",
      );
      throw err;
    }
  }

  private async admit(body: unknown, ip: string): Promise<SeatReservation> {
    const roomId = this.openRoom();
    const grant = await this.verifyLogin(body, ip);
    await this.hooks.admission?.(grant);
    const listing = await matchMaker.getRoomById(roomId);
    if (!listing) throw new NimbusError("UNAVAILABLE", "the realtime gateway is not running");
    const seat = await matchMaker.reserveSeatFor(listing, {}, grant);
    return this.deps.publicAddress ? { ...seat, publicAddress: this.deps.publicAddress } : seat;
  }

  /** The account and token check of a login, with the login throttle; shared by `im` logins and chat room entries. */
  private async verifyLogin(body: unknown, ip: string): Promise<LoginGrant> {
    await this.loginThrottle.admit(ip);
    try {
      return await checkLogin({ ...this.deps, lockout: this.loginThrottle.accountPolicy }, body, ip);
    } catch (err) {
      // Guesses (a wrong token, an account that does not exist) count against the address.
      if (err instanceof NimbusError && GUESS_CODES.has(err.code)) await this.loginThrottle.failed(ip);
      throw err;
    }
  }

  private async enterChatroom(body: unknown, ip: string): Promise<SeatReservation> {
    this.openRoom();
    const seat = await this.chatroomEdges!.enter(body, ip);
    return this.deps.publicAddress ? { ...seat, publicAddress: this.deps.publicAddress } : seat;
  }

  private async resume(roomId: string, token: string): Promise<SeatReservation> {
    // Only this node's sessions resume here; Colyseus's code for "no such room".
    if (roomId !== this.openRoom())
      throw new ServerError(ErrorCode.MATCHMAKE_INVALID_ROOM_ID, `no session to resume in room ${roomId} on this node`);
    const kicked = this.sessions.kickedTokens.get(token);
    if (kicked) throw new ResumeKickedError(kicked);
    const seat = await matchMaker.reconnect(roomId, { reconnectionToken: token });
    return this.deps.publicAddress ? { ...seat, publicAddress: this.deps.publicAddress } : seat;
  }

  private openRoom(): string {
    if (this.state !== "open" || !this.roomId) throw new NimbusError("UNAVAILABLE", "the realtime gateway is not accepting logins");
    return this.roomId;
  }
}
