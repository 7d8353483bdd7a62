/**
 * A lean Centrifugo subscriber for the peer bench: Centrifugo's bidirectional JSON protocol over
 * WebSocket (v6 client protocol): a `connect` command, then `subscribe` to one channel; the server
 * pushes `{"push":{"channel":…,"pub":{"data":…}}}` and pings with `{}`, which the client answers
 * with `{}`. The server may put several replies in one frame, one JSON object a line. Publications
 * are counted from the frame's text; only a sampled subscriber parses them for the payload.
 */
import { WebSocket } from "ws";

export interface CentrifugoSubscription {
  /** ws://host:port/connection/websocket */
  url: string;
  channel: string;
  /** A connection JWT when the server checks tokens; absent with `client.insecure`. */
  token?: string;
  /** Each publication's data (the payload string), for a sampled subscriber; others get "". */
  onPublication(data: string): void;
  sampled: boolean;
}

const PUB = '"pub":';

export class CentrifugoSubscriber {
  private constructor(private readonly ws: WebSocket) {}

  static async connect(o: CentrifugoSubscription): Promise<CentrifugoSubscriber> {
    const ws = new WebSocket(o.url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const sub = new CentrifugoSubscriber(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("close", (code, reason) => reject(new Error(`centrifugo closed ${code} ${reason.toString()} before subscribing`)));
      ws.on("message", (raw: Buffer) => {
        const text = raw.toString();
        for (const line of text.split("\n")) {
          if (line === "{}") {
            ws.send("{}");
            continue;
          }
          if (line.includes(PUB)) {
            if (!o.sampled) {
              o.onPublication("");
              continue;
            }
            const m = JSON.parse(line) as { push?: { pub?: { data?: unknown } } };
            o.onPublication(String(m.push?.pub?.data ?? ""));
            continue;
          }
          if (line === "") continue;
          const r = JSON.parse(line) as { id?: number; error?: { code: number; message: string } };
          if (r.error) reject(new Error(`centrifugo ${r.id === 1 ? "connect" : "subscribe"}: ${r.error.code} ${r.error.message}`));
          else if (r.id === 1) ws.send(JSON.stringify({ id: 2, subscribe: { channel: o.channel } }));
          else if (r.id === 2) {
            ws.removeAllListeners("close");
            ws.removeAllListeners("error");
            ws.on("error", () => undefined);
            resolve();
          }
        }
      });
      ws.send(JSON.stringify({ id: 1, connect: o.token !== undefined ? { token: o.token, name: "bench" } : { name: "bench" } }));
    });
    return sub;
  }

  close(): void {
    this.ws.close();
  }
}
