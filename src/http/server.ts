import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { registerHealth } from "./health.ts";
import { registerMetrics } from "./metrics.ts";
import type { NodeInfo } from "./types.ts";
import { registerNimApi } from "./nim/router.ts";
import { nimEndpoints } from "./nim/catalog.ts";
import { openApiDocument } from "./nim/openapi.ts";
import type { MessagingService } from "../messaging/service.ts";
import type { PresenceView } from "../contracts/presence.ts";

/**
 * The node's one HTTP port: health, metrics, the NIM server API and its OpenAPI description; the
 * WebSocket gateway joins it on the same server (src/gateway), and `presence` is its view of who
 * is online.
 */
export async function createHttpServer(
  node: NodeInfo,
  log: Logger,
  services: { presence: PresenceView; messaging: MessagingService },
): Promise<FastifyInstance> {
  const app: FastifyInstance = fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only widens the generic so routes see one type.
    loggerInstance: log.child({ component: "http" }) as FastifyBaseLogger,
    // A line per request is too much at IM request rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  registerHealth(app, node);
  registerMetrics(app, node);
  const openapi = openApiDocument(nimEndpoints, "1");
  app.get("/nimserver/openapi.json", async () => openapi);
  await registerNimApi(app, { apps: node.apps, system: node.system, ...services, log, endpoints: nimEndpoints });
  return app;
}
