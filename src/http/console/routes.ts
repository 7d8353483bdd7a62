import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppRegistry } from "../../apps/registry.ts";
import type { ActorSystem } from "../../runtime/system.ts";
import type { MessagingService } from "../../messaging/service.ts";
import type { PresenceView } from "../../contracts/presence.ts";
import { userAddress } from "../../contracts/user.ts";
import { ACCID_PATTERN } from "../../protocol/accid.ts";
import { HttpStatus } from "../../protocol/http-status.ts";
import { uinfo } from "../nim/user-profile.ts";
import type { ConsoleCluster } from "./types.ts";

export interface ConsoleDeps {
  /** The operator's credential (config `operator.token`); undefined turns the console's API off. */
  operatorToken: string | undefined;
  apps: AppRegistry;
  system: ActorSystem;
  messaging: MessagingService;
  presence: PresenceView;
  cluster: ConsoleCluster;
}

const here = import.meta.dirname;
const page = readFileSync(join(here, "page.html"));
const script = readFileSync(join(here, "console.js"));
const style = readFileSync(join(here, "console.css"));
// Chart.js's browser build, from the installed package (its exports name no path for it).
const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js"));

const digest = (s: string) => createHash("sha256").update(s).digest();

const userParams = z.object({
  app: z.string().min(1).max(64),
  accid: z.string().regex(ACCID_PATTERN, "not an account id"),
});
const deviceParams = userParams.extend({ deviceId: z.string().min(1).max(128) });

/**
 * The operator console: a page at `/console` (static, no secrets in it) whose script asks
 * `/console/api/*` with the operator's token as `Authorization: Bearer …`. The token comes from
 * config, is compared in constant time, and never travels in a URL; an app's secret is never
 * asked for. Answers are JSON; a refusal is `{error}` with an HTTP status (401, 400, 404, 503).
 */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  const expected = deps.operatorToken === undefined ? undefined : digest(deps.operatorToken);
  const asset = (type: string, body: Buffer) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .header("content-type", type)
      .header("cache-control", "no-cache")
      .header("content-security-policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
      .header("x-frame-options", "DENY")
      .send(body);
  app.get("/console", asset("text/html; charset=utf-8", page));
  app.get("/console/", asset("text/html; charset=utf-8", page));
  app.get("/console/console.js", asset("text/javascript; charset=utf-8", script));
  app.get("/console/console.css", asset("text/css; charset=utf-8", style));
  app.get("/console/chart.js", asset("text/javascript; charset=utf-8", chartJs));

  void app.register(async (api) => {
    api.addHook("onRequest", async (req, reply) => {
      if (expected === undefined) {
        return reply
          .code(HttpStatus.SERVICE_UNAVAILABLE)
          .send({ error: "the operator console is off: set operator.token (or NIMBUS_OPERATOR_TOKEN) in the node's config" });
      }
      const auth = req.headers.authorization;
      const given = typeof auth === "string" && auth.startsWith("Bearer ") ? digest(auth.slice(7)) : undefined;
      if (given === undefined || !timingSafeEqual(given, expected)) {
        return reply.code(HttpStatus.UNAUTHORIZED).header("www-authenticate", "Bearer").send({ error: "operator token required" });
      }
    });
    api.setErrorHandler((err, _req, reply) => {
      if (err instanceof z.ZodError) {
        const issue = err.issues[0];
        return reply.code(HttpStatus.BAD_REQUEST).send({ error: `${issue?.path.join(".") ?? "request"}: ${issue?.message ?? "invalid"}` });
      }
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== undefined && status < HttpStatus.INTERNAL_SERVER_ERROR)
        return reply.code(status).send({ error: (err as Error).message });
      api.log.error({ err }, "console request failed");
      return reply.code(HttpStatus.INTERNAL_SERVER_ERROR).send({ error: "server internal error" });
    });

    api.get("/console/api/overview", async () => ({
      apps: deps.apps.all().map((a) => ({ appKey: a.appKey, edition: a.edition })),
      nodes: await deps.cluster.nodes(),
    }));

    api.get("/console/api/user", async (req, reply) => {
      const { app, accid } = userParams.parse(req.query);
      if (!deps.apps.get(app)) return reply.code(HttpStatus.NOT_FOUND).send({ error: `app: no app ${app}` });
      const record = await deps.system.ask(userAddress(app, accid.toLowerCase()), { t: "get" });
      if (!record) return reply.code(HttpStatus.NOT_FOUND).send({ error: `accid: no account ${accid}` });
      const [devices, conversations] = await Promise.all([
        deps.presence.devicesOf(app, record.accid),
        deps.messaging.conversations(app, record.accid, { limit: 20 }),
      ]);
      return {
        profile: uinfo(record),
        devices,
        conversations: conversations.map((c) => ({
          peer: c.peer,
          updatedAt: c.updatedAt,
          unread: c.unread,
          lastSeq: c.lastSeq,
        })),
      };
    });

    api.post("/console/api/kick", async (req, reply) => {
      const { app, accid, deviceId } = deviceParams.parse(req.body);
      if (!deps.apps.get(app)) return reply.code(HttpStatus.NOT_FOUND).send({ error: `app: no app ${app}` });
      deps.cluster.kickDevice(app, accid, deviceId);
      return { ok: true };
    });
    for (const [path, op] of [
      ["/console/api/ban", "block"],
      ["/console/api/unban", "unblock"],
    ] as const) {
      api.post(path, async (req, reply) => {
        const { app, accid } = userParams.parse(req.body);
        if (!deps.apps.get(app)) return reply.code(HttpStatus.NOT_FOUND).send({ error: `app: no app ${app}` });
        const ref = userAddress(app, accid.toLowerCase());
        if (!(await deps.system.ask(ref, { t: "get" })))
          return reply.code(HttpStatus.NOT_FOUND).send({ error: `accid: no account ${accid}` });
        // A ban is NIM's user/block with needkick: every device goes, and logins are refused (422).
        await (op === "block" ? deps.system.ask(ref, { t: "block", needkick: true }) : deps.system.ask(ref, { t: "unblock" }));
        return { ok: true };
      });
    }
  });
}
