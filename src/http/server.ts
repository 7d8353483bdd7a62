import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { registerHealth } from "./health.ts";
import { registerMetrics } from "./metrics.ts";
import type { NodeInfo } from "./types.ts";

/**
 * The node's one HTTP port: health and metrics now; the NIM REST API and the WebSocket gateway
 * join it on the same server.
 */
export function createHttpServer(node: NodeInfo, log: Logger): FastifyInstance {
  const app: FastifyInstance = fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only widens the generic so routes see one type.
    loggerInstance: log.child({ component: "http" }) as FastifyBaseLogger,
    // A line per request is too much at IM request rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  registerHealth(app, node);
  registerMetrics(app, node);
  return app;
}
