import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { registerHealth } from "./health.ts";
import { registerMetrics } from "./metrics.ts";
import type { NodeInfo } from "./types.ts";
import { registerNimApi } from "./nim/router.ts";
import { nimEndpoints } from "./nim/catalog.ts";
import { openApiDocument } from "./nim/openapi.ts";
import type { MessagingService } from "../messaging/service.ts";
import type { TeamsService } from "../teams/service.ts";
import type { SuperTeams } from "../teams/superteams.ts";
import type { PresenceView } from "../contracts/presence.ts";
import type { ChatroomService } from "../chatrooms/service.ts";
import type { HttpTimeouts } from "../config/schema.ts";
import type { NonceStore } from "../store/mod.ts";
import type { NodeMetrics } from "../util/metrics.ts";
import type { FileStore } from "../store/files.ts";
import { registerFileDownloads } from "./files.ts";

/**
 * Node's own checks of header and request deadlines run on this interval (Node's default is 30 s,
 * so a 10 s deadline could hold a socket for 40 s); a pass over the open connections is cheap.
 */
function connectionsCheckingInterval(t: HttpTimeouts): number {
  return Math.max(50, Math.min(1000, Math.floor(t.headersTimeoutMs / 4)));
}

/**
 * The node's one HTTP port: health, metrics, the NIM server API and its OpenAPI description; the
 * WebSocket gateway joins it on the same server (src/gateway), and `presence` is its view of who
 * is online.
 *
 * Deadlines (`timeouts`, config `http`): Fastify leaves Node's `requestTimeout` at 0 and with it
 * no deadline a slow client must meet, so a silent or trickling socket was held for minutes. Node
 * drops a connection whose headers are not complete in `headersTimeoutMs` (counted from its first
 * byte, so a socket that never sends anything goes too), or whose request is not complete in
 * `requestTimeoutMs`; a kept-alive connection goes after `keepAliveTimeoutMs` without a request,
 * and any socket after `idleTimeoutMs` without a byte either way. A WebSocket upgrade leaves
 * Node's HTTP handling (its socket is taken off these checks and `ws` clears the idle timer), so
 * devices are the gateway's to keep alive and none of this cuts them.
 */
export async function createHttpServer(
  node: NodeInfo,
  log: Logger,
  services: {
    presence: PresenceView;
    messaging: MessagingService;
    teams: TeamsService;
    superTeams: SuperTeams;
    chatrooms: ChatroomService;
    nonces: NonceStore;
    files: FileStore;
    publicAddress?: string;
  },
  timeouts: HttpTimeouts,
  metrics: NodeMetrics,
): Promise<FastifyInstance> {
  const app: FastifyInstance = fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only widens the generic so routes see one type.
    loggerInstance: log.child({ component: "http" }) as FastifyBaseLogger,
    // Fastify's own two lines per request (incoming, completed) are off: the NIM router writes one
    // compact access line per server-API call (router.ts), and health and metrics scrapes none.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionTimeout: timeouts.idleTimeoutMs,
    http: { headersTimeout: timeouts.headersTimeoutMs, connectionsCheckingInterval: connectionsCheckingInterval(timeouts) },
  });
  registerHealth(app, node);
  registerMetrics(app, node, metrics);
  const openapi = openApiDocument(nimEndpoints, "1");
  app.get("/nimserver/openapi.json", async () => openapi);
  registerFileDownloads(app, services.files);
  await registerNimApi(app, { apps: node.apps, system: node.system, ...services, log, endpoints: nimEndpoints, metrics });
  return app;
}
