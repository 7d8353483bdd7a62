/**
 * The baseline: a bare `ws` relay. A client connects to `/?id=<n>` (and `&g=<k>` to join group k);
 * each text frame `{"to":m,"r":reqId,"t":text}` is forwarded to client m as `{"from":n,"t":text}` and
 * answered to the sender as `{"a":reqId}`. A frame `{"all":1,"r":reqId,"t":text}` goes to every
 * other client, encoded once (the chat room fan-out); with `"g":k` to every other client of group k
 * (the team fan-out). No auth, no storage, no framing beyond JSON: what the loopback, `ws` and one
 * Node event loop cost on their own. Prints `listening <port>` when ready.
 */
import { WebSocketServer, type WebSocket } from "ws";

const sockets = new Map<number, WebSocket>();
const groups = new Map<number, Map<number, WebSocket>>();
const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0) });
wss.on("connection", (ws, req) => {
  const params = new URL(req.url ?? "/", "http://x").searchParams;
  const id = Number(params.get("id"));
  const g = params.has("g") ? Number(params.get("g")) : undefined;
  sockets.set(id, ws);
  if (g !== undefined) {
    if (!groups.has(g)) groups.set(g, new Map());
    groups.get(g)!.set(id, ws);
  }
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as { to: number; r: number; t: string; all?: 1; g?: number };
    if (frame.all) {
      const out = JSON.stringify({ from: id, t: frame.t });
      const targets = frame.g === undefined ? sockets : (groups.get(frame.g) ?? new Map<number, WebSocket>());
      for (const [other, socket] of targets) if (other !== id) socket.send(out);
    } else sockets.get(frame.to)?.send(JSON.stringify({ from: id, t: frame.t }));
    ws.send(JSON.stringify({ a: frame.r }));
  });
  ws.on("close", () => {
    if (sockets.get(id) === ws) sockets.delete(id);
    if (g !== undefined && groups.get(g)?.get(id) === ws) groups.get(g)!.delete(id);
  });
});
wss.on("listening", () => {
  const addr = wss.address();
  process.stdout.write(`listening ${typeof addr === "object" && addr ? addr.port : addr}\n`);
});
process.on("SIGTERM", () => process.exit(0));
