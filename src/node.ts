import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Config } from "./config/schema.ts";
import { LocalBus, connectNatsBus, type Bus } from "./bus/mod.ts";
import { openStore, type Store } from "./store/mod.ts";
import { startRetentionSweeper } from "./store/retention.ts";
import { ActorSystem, BusMembership, SingleNodeMembership, type ActorFactory, type Membership } from "./runtime/mod.ts";
import { createHttpServer } from "./http/server.ts";
import { Gateway, type GatewayOptions } from "./gateway/mod.ts";
import { clusterPresenceView, linkDeviceRegistry } from "./gateway/device-registry.ts";
import { linkHooks } from "./gateway/hooks-link.ts";
import type { FileStore } from "./store/files.ts";
import { openFileStore } from "./store/open-files.ts";
import { createMessagingService, type MessagingService } from "./messaging/mod.ts";
import { createTeamsService, type TeamsService } from "./teams/mod.ts";
import { SuperTeams } from "./teams/superteams.ts";
import { createHooks } from "./hooks/mod.ts";
import { AppRegistry } from "./apps/registry.ts";
import { ChatroomService } from "./chatrooms/service.ts";
import { domainActors } from "../actors/mod.ts";
import type { NodeInfo } from "./http/types.ts";
import { createLogger, type Logger } from "./util/log.ts";
import { NodeMetrics } from "./util/metrics.ts";
import { measuredBus, measuredMessaging, measuredStore } from "./node-metrics.ts";
import { serveConsoleStats } from "./node-console.ts";
import { registerConsole } from "./http/console/routes.ts";

/** What a caller may add to a node: more actor kinds and more routes (tests and embedders). */
export interface NodeExtensions {
  actors?: Record<string, ActorFactory>;
  routes?: (app: FastifyInstance, node: NimbusNode) => void;
  log?: Logger;
  /** Realtime gateway tunables (resume window, frame size, rate limit); defaults otherwise. */
  gateway?: Partial<GatewayOptions>;
}

export interface NimbusNode {
  readonly nodeId: string;
  readonly config: Config;
  readonly store: Store;
  readonly bus: Bus;
  readonly membership: Membership;
  readonly system: ActorSystem;
  readonly apps: AppRegistry;
  /** P2P messaging, as the REST API and the gateway use it. */
  readonly messaging: MessagingService;
  /** Advanced teams, as the REST API and the gateway use them. */
  readonly teams: TeamsService;
  /** Chat rooms, as the REST API and the room edges use them. */
  readonly chatrooms: ChatroomService;
  readonly http: FastifyInstance;
  /** The realtime link: Colyseus on the same port, devices, delivery. */
  readonly gateway: Gateway;
  readonly log: Logger;
  /** The node's Prometheus registry and IM series (served at /metrics). */
  readonly metrics: NodeMetrics;
  /** host:port this node actually listens on. */
  readonly address: string;
  /** Leaves the cluster, drains and saves every actor, then closes the port, the bus and the store. */
  stop(): Promise<void>;
}

/** How often expired messages are purged. */
const RETENTION_SWEEP_MS = 60_000;

async function openConfiguredStore(config: Config, log: Logger, metrics: NodeMetrics): Promise<Store> {
  if (config.store.kind === "mongo") {
    return openStore({
      kind: "mongo",
      url: config.store.mongoUrl!,
      database: config.store.mongoDatabase,
      logger: log.child({ component: "store" }),
      onCommand: (command) => metrics.storeCommands.inc({ command }),
    });
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openStore({ kind: "sqlite", path: join(config.dataDir, config.store.sqliteFile), logger: log.child({ component: "store" }) });
}

/** Uploaded files: GridFS in the cluster's MongoDB, or files under the data directory. */
function openConfiguredFiles(config: Config): Promise<FileStore> {
  if (config.store.kind === "mongo")
    return openFileStore({ kind: "gridfs", url: config.store.mongoUrl!, database: config.store.mongoDatabase });
  return openFileStore({ kind: "local", dir: join(config.dataDir, "files") });
}

async function openConfiguredBus(config: Config, nodeId: string, log: Logger): Promise<Bus> {
  if (!config.bus.natsUrl) return new LocalBus();
  return connectNatsBus({
    url: config.bus.natsUrl,
    name: `nimbus-${nodeId}`,
    prefix: config.bus.prefix,
    logger: log.child({ component: "bus" }),
  });
}

/**
 * Builds and starts one node: store -> bus -> actor system -> HTTP -> membership. The actor system
 * serves its bus subject before the node announces itself, so no peer ever routes to a node that
 * cannot answer yet.
 */
export async function startNode(config: Config, ext: NodeExtensions = {}): Promise<NimbusNode> {
  const nodeId = config.nodeId!;
  const log = ext.log ?? createLogger(config.log.level, { node: nodeId });
  const metrics = new NodeMetrics();
  const store = measuredStore(await openConfiguredStore(config, log, metrics), metrics);
  let bus: Bus | undefined;
  let startedGateway: Gateway | undefined;
  let files: FileStore | undefined;
  try {
    bus = measuredBus(await openConfiguredBus(config, nodeId, log), metrics);
    const self = { nodeId, address: config.publicAddress ?? `${config.host}:${config.port}`, startedAt: Date.now() };
    const clustered = Boolean(config.bus.natsUrl);
    const membership: Membership = clustered
      ? new BusMembership(self, bus, config.cluster.heartbeatMs, config.cluster.deadAfterMs)
      : new SingleNodeMembership(self);

    const system = new ActorSystem({
      store,
      bus,
      membership,
      log: log.child({ component: "actors" }),
      mailboxCapacity: config.actors.mailboxCapacity,
      askTimeoutMs: config.actors.askTimeoutMs,
      idlePassivateMs: config.actors.idlePassivateMs,
    });
    for (const [kind, factory] of Object.entries({ ...domainActors, ...ext.actors })) system.register(kind, factory);
    await system.start();
    files = await openConfiguredFiles(config);
    const stopRetention = startRetentionSweeper(
      { journal: store.journal, nonces: store.nonces, files },
      log.child({ component: "retention" }),
      RETENTION_SWEEP_MS,
    );

    const apps = new AppRegistry(config.apps);
    const info: NodeInfo = {
      nodeId,
      storeKind: store.kind,
      storeUnavailable: () => store.unavailable(),
      busKind: bus.kind,
      members: () => membership.members(),
      system,
      apps,
      devicesByClientType: () => gateway.devicesByClientType(),
      chatrooms: () => gateway.stats().chatrooms,
    };
    const hooks = createHooks({ outbox: store.outbox, journal: store.journal, apps, membership, log: log.child({ component: "hooks" }) });
    info.hooks = hooks.report;
    const messaging = measuredMessaging(createMessagingService({ system, bus, apps, hooks: hooks.hooks }), metrics);
    const teams = createTeamsService({ system, apps, sequences: store.sequences });
    const superTeams = new SuperTeams({ system, apps, sequences: store.sequences });
    const chatrooms = new ChatroomService(
      system,
      store.journal,
      () =>
        membership
          .members()
          .map((id) => membership.info(id)?.address)
          .filter((a): a is string => a !== undefined),
      hooks.chatrooms,
    );
    const gateway = new Gateway({
      nodeId,
      apps,
      system,
      bus,
      messaging,
      teams,
      superTeams,
      log: log.child({ component: "gateway" }),
      options: { ...config.gateway, ...ext.gateway },
      publicAddress: config.publicAddress,
      metrics,
      chatrooms,
      nodeStartedAt: self.startedAt,
      membership,
    });
    startedGateway = gateway;
    linkHooks(gateway, hooks.hooks, hooks.teamCallbacks);
    linkDeviceRegistry(gateway, { system, apps, nodeStartedAt: self.startedAt, log: log.child({ component: "devices" }) });
    const http = await createHttpServer(
      info,
      log,
      {
        presence: clusterPresenceView(system),
        messaging,
        teams,
        superTeams,
        chatrooms,
        nonces: store.nonces,
        files,
        ...(config.publicAddress !== undefined && { publicAddress: config.publicAddress }),
      },
      config.http,
      metrics,
    );
    const openFiles = files;
    await gateway.attach(http);
    let address = self.address;
    const consoleStats = serveConsoleStats({
      nodeId,
      address: () => address,
      startedAt: self.startedAt,
      bus,
      system,
      membership,
      gateway,
      metrics,
      log,
    });
    registerConsole(http, {
      operatorToken: config.operator.token,
      apps,
      system,
      messaging,
      presence: clusterPresenceView(system),
      cluster: consoleStats.cluster,
    });
    let stopping: Promise<void> | undefined;
    const openBus = bus;
    const node: NimbusNode = {
      nodeId,
      config,
      store,
      bus,
      membership,
      system,
      apps,
      messaging,
      teams,
      chatrooms,
      http,
      gateway,
      log,
      metrics,
      get address() {
        return address;
      },
      stop: () =>
        (stopping ??= (async () => {
          stopRetention();
          consoleStats.stop();
          // Devices first, while the actors their offline hooks report to are still up.
          await gateway.stop();
          await membership.leave();
          await system.drain();
          await hooks.deliverer.stop();
          await http.close();
          await openBus.close();
          await openFiles.close();
          await store.close();
        })()),
    };
    const addRoutes = ext.routes;
    if (addRoutes) http.register(async (scope) => addRoutes(scope, node));
    await http.listen({ port: config.port, host: config.host });
    const bound = http.server.address();
    address = `${config.host}:${typeof bound === "object" && bound ? bound.port : config.port}`;
    if (!config.publicAddress) self.address = address;

    await membership.start();
    if (clustered) {
      // Peers answer a stranger's first heartbeat at once; give them that round trip before serving.
      await new Promise((r) => setTimeout(r, Math.min(config.cluster.heartbeatMs, 500)));
    }
    hooks.deliverer.start();
    log.info({ address, store: store.kind, bus: bus.kind, members: membership.members() }, "node started");
    return node;
  } catch (err) {
    await startedGateway?.stop().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    await files?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}
