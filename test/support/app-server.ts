import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifySignature } from "../../src/hooks/sign.ts";

/** One request the app server got. */
export interface AppServerRequest {
  path: string;
  headers: Record<string, string | undefined>;
  raw: string;
  body: Record<string, unknown>;
  /** The NIM signature checked out with the app's secret. */
  signed: boolean;
}

/** How the app server answers a request: a status and a body, after an optional delay or once `until` settles; `hang` never answers. */
export type Answer = { status?: number; body?: unknown; delayMs?: number; until?: Promise<unknown> } | "hang";

/**
 * A real app server for the hooks tests: an HTTP listener on a loopback port that records every
 * request (checking NIM's signature) and answers as `answer` says, per path.
 */
export class AppServer {
  readonly requests: AppServerRequest[] = [];
  answer: (req: AppServerRequest) => Answer = () => ({ status: 200, body: { errCode: 0 } });
  private server: Server | undefined;
  private port = 0;
  private readonly hanging = new Set<() => void>();

  /** Secrets by AppKey, to check signatures with (known once the node under test has made its app). */
  readonly secrets = new Map<string, string>();

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Listens (again, on the same port when it listened before). */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.read(req).then(async (raw) => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          // recorded as is
        }
        const header = (n: string) => {
          const v = req.headers[n.toLowerCase()];
          return Array.isArray(v) ? v[0] : v;
        };
        const headers = { AppKey: header("AppKey"), CurTime: header("CurTime"), MD5: header("MD5"), CheckSum: header("CheckSum") };
        const r: AppServerRequest = {
          path: req.url ?? "",
          headers,
          raw,
          body,
          signed: verifySignature(this.secrets.get(headers.AppKey ?? "") ?? "", raw, headers),
        };
        this.requests.push(r);
        const a = this.answer(r);
        if (a === "hang") {
          this.hanging.add(() => res.destroy());
          return;
        }
        if (a.delayMs) await new Promise((resolve) => setTimeout(resolve, a.delayMs));
        if (a.until) await a.until;
        res.writeHead(a.status ?? 200, { "content-type": "application/json" });
        res.end(typeof a.body === "string" ? a.body : JSON.stringify(a.body ?? {}));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every open connection: the app server is down. */
  async stop(): Promise<void> {
    for (const h of this.hanging) h();
    this.hanging.clear();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The requests to `path` whose body has this eventType. */
  events(path: string, eventType?: string): AppServerRequest[] {
    return this.requests.filter((r) => r.path === path && (eventType === undefined || r.body.eventType === eventType));
  }

  private read(req: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      let s = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (s += c));
      req.on("end", () => resolve(s));
    });
  }
}
