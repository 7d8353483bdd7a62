import type { FastifyInstance } from "fastify";
import type { NodeInfo } from "./types.ts";

/** `GET /healthz`: who this node is, what it stands on, and who it sees. */
export function registerHealth(app: FastifyInstance, node: NodeInfo): void {
  app.get("/healthz", async () => ({
    status: "ok",
    nodeId: node.nodeId,
    store: node.storeKind,
    bus: node.busKind,
    members: node.members(),
    actors: { ...node.system.load(), ...node.system.stats },
    uptimeMs: Math.round(process.uptime() * 1000),
  }));
}
