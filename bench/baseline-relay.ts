/**
 * The baseline: a bare `ws` relay. A client connects to `/?id=<n>`; each text frame
 * `{"to":m,"r":reqId,"t":text}` is forwarded to client m as `{"from":n,"t":text}` and answered to the
 * sender as `{"a":reqId}`. A frame `{"all":1,"r":reqId,"t":text}` goes to every other client, encoded
 * once (the chat room fan-out). No auth, no storage, no framing beyond JSON: what the loopback, `ws`
 * and one Node event loop cost on their own. Prints `listening <port>` when ready.
 */
import { WebSocketServer, type WebSocket } from "ws";

const sockets = new Map<number, WebSocket>();
const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0) });
wss.on("connection", (ws, req) => {
  const id = Number(new URL(req.url ?? "/", "http://x").searchParams.get("id"));
  sockets.set(id, ws);
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as { to: number; r: number; t: string; all?: 1 };
    if (frame.all) {
      const out = JSON.stringify({ from: id, t: frame.t });
      for (const [other, socket] of sockets) if (other !== id) socket.send(out);
    } else sockets.get(frame.to)?.send(JSON.stringify({ from: id, t: frame.t }));
    ws.send(JSON.stringify({ a: frame.r }));
  });
  ws.on("close", () => sockets.get(id) === ws && sockets.delete(id));
});
wss.on("listening", () => {
  const addr = wss.address();
  process.stdout.write(`listening ${typeof addr === "object" && addr ? addr.port : addr}\n`);
});
process.on("SIGTERM", () => process.exit(0));
