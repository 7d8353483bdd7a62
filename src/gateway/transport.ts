import type { Server } from "node:http";
import { WebSocketTransport } from "@colyseus/ws-transport";

/**
 * Colyseus's WebSocket transport on the node's own HTTP server (Fastify's `app.server`): it
 * takes the server's `upgrade` events and nothing else, so Fastify keeps every plain HTTP request
 * (the REST API, health, metrics, and the matchmake routes, which the gateway mounts in Fastify).
 * `attachToServer` is Colyseus's own way to share a server it does not own: it never listens or
 * closes it.
 */
export class GatewayTransport extends WebSocketTransport {
  constructor(server: Server, options: { maxFrameBytes: number; pingIntervalMs: number }) {
    super({ noServer: true, maxPayload: options.maxFrameBytes, pingInterval: options.pingIntervalMs, pingMaxRetries: 2 });
    this.attachToServer(server);
  }

  /** Sockets still open (joined, joining, or mid-close). */
  get openSockets(): number {
    return this.wss.clients.size;
  }

  /**
   * Stops pinging and ends whatever sockets are left, so the HTTP server can close: it waits for
   * every connection, upgraded ones included. Gives closing handshakes `graceMs` to finish first,
   * so a device reads its close code rather than a reset.
   */
  async stop(graceMs: number): Promise<void> {
    clearInterval(this.pingInterval);
    const deadline = Date.now() + graceMs;
    while (this.wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
