import type { FastifyInstance } from "fastify";
import type { NodeInfo } from "./types.ts";
import { HttpStatus } from "../protocol/http-status.ts";

/**
 * `GET /healthz`: who this node is, what it stands on, and who it sees. 503 with status
 * "degraded" and `storeError` when the store cannot take writes (SQLite's writer thread ended):
 * the node still serves reads, but a load balancer should send logins elsewhere.
 */
export function registerHealth(app: FastifyInstance, node: NodeInfo): void {
  app.get("/healthz", async (_req, reply) => {
    const storeError = node.storeUnavailable();
    if (storeError !== null) reply.code(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: storeError === null ? "ok" : "degraded",
      nodeId: node.nodeId,
      store: node.storeKind,
      ...(storeError !== null && { storeError }),
      bus: node.busKind,
      members: node.members(),
      actors: { ...node.system.load(), ...node.system.stats },
      // A stalled data sync shows here (`stalled`, the oldest event's age, the last error) without
      // taking the node out of service: devices and the API are fine, the app server is behind.
      ...(node.hooks && { hooks: await node.hooks() }),
      uptimeMs: Math.round(process.uptime() * 1000),
    };
  });
}
