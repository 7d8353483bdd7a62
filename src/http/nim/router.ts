import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import type { z } from "zod";
import type { Logger } from "pino";
import type { App, AppRegistry } from "../../apps/registry.ts";
import type { ActorSystem } from "../../runtime/system.ts";
import { NimbusError, toStatus } from "../../protocol/errors.ts";
import { Codes } from "../../protocol/codes.ts";
import { HttpStatus } from "../../protocol/http-status.ts";
import { RequestAuthenticator } from "./auth.ts";
import { checkFormContentType, parseForm, refuseQueryParams, type FormParams } from "./form-body.ts";
import type { NimContext, NimEndpoint } from "./endpoint.ts";
import type { PresenceView } from "../../contracts/presence.ts";
import type { MessagingService } from "../../messaging/service.ts";
import type { TeamsService } from "../../teams/service.ts";
import type { SuperTeams } from "../../teams/superteams.ts";
import type { NonceStore } from "../../store/mod.ts";
import type { NodeMetrics } from "../../util/metrics.ts";
import type { FileStore } from "../../store/files.ts";
import { isMultipart, parseMultipart } from "./multipart-body.ts";
import type { ChatroomService } from "../../chatrooms/service.ts";

export interface NimApiDeps {
  apps: AppRegistry;
  system: ActorSystem;
  presence: PresenceView;
  messaging: MessagingService;
  teams: TeamsService;
  superTeams: SuperTeams;
  chatrooms: ChatroomService;
  /** Where request nonces are claimed, cluster-wide (the node's store). */
  nonces: NonceStore;
  /** Uploaded files. */
  files: FileStore;
  /** host[:port] for URLs this node answers (config publicAddress); the request's Host otherwise. */
  publicAddress?: string;
  log: Logger;
  endpoints: readonly NimEndpoint[];
  /** Counts and times every call by endpoint and NIM code, when the node keeps metrics. */
  metrics?: NodeMetrics;
}

declare module "fastify" {
  interface FastifyRequest {
    nimApp?: App;
  }
  interface FastifyContextConfig {
    /** The route also takes multipart/form-data (NimEndpoint.multipart). */
    multipart?: { fileSize: number };
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The first problem, named by its parameter, as NIM's `desc`. */
function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "parameter error";
  const param = issue.path.map(String).join(".") || "parameters";
  return `${param}: ${issue.message}`;
}

/**
 * A path in the NIM API's space: `/nimserver/…`, or `/<module>/<action>.action` as the prefix is
 * optional. Only these get NIM's envelope (HTTP 200 with a NIM code); any other unknown path is a
 * plain HTTP 404, so `GET /` or `/admin` is not answered "AppKey header is missing".
 */
export function isNimPath(url: string): boolean {
  const path = url.split("?", 1)[0]!;
  return path === "/nimserver" || path.startsWith("/nimserver/") || /^\/[^/]+\/[^/]+\.action$/.test(path);
}

/** `module/action` of a NIM route (`/nimserver/user/create.action` -> `user/create`); "unknown" for no route. */
function endpointOf(routeUrl: string | undefined): string {
  if (routeUrl === undefined) return "unknown";
  return routeUrl
    .replace(/^\/nimserver/, "")
    .replace(/^\//, "")
    .replace(/\.action$/, "");
}

/** The parsed form body (see form-body.ts); a request without a body has no parameters. */
function formParams(req: FastifyRequest): FormParams {
  return (req.body as FormParams | undefined) ?? {};
}

/**
 * NIM's server API v1: `POST /nimserver/<module>/<action>.action` (also without `/nimserver`),
 * form-encoded in the body only and strictly UTF-8 (form-body.ts), signed with CheckSum. Lifecycle
 * of a request: authenticate and refuse query parameters (onRequest) -> parse the form body ->
 * per-app rate limit (preHandler) -> validate every parameter -> handler -> `{code:200, …}`. Any
 * failure answers HTTP 200 `{code, desc}` with a NIM code, and a validation failure changes nothing.
 */
export async function registerNimApi(app: FastifyInstance, deps: NimApiDeps): Promise<void> {
  const auth = new RequestAuthenticator(deps.apps, deps.nonces);

  await app.register(async (scope) => {
    // The form body is the only place parameters come from: JSON, text and every other type are
    // refused (by the one catch-all parser), and so is a query string with parameters (onRequest).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (req, body, done) => {
      try {
        const contentType = req.headers["content-type"];
        // Only an endpoint that says so (msg/fileUpload) takes multipart; every other refuses it.
        const multipart = req.routeOptions.config?.multipart;
        if (multipart && isMultipart(contentType)) {
          parseMultipart(body as Buffer, contentType!, multipart.fileSize).then(
            (params) => done(null, params),
            (err: unknown) => done(err as Error),
          );
          return;
        }
        checkFormContentType(contentType);
        done(null, parseForm(body as Buffer));
      } catch (err) {
        done(err as Error);
      }
    });

    scope.setErrorHandler((err, req, reply: FastifyReply) => {
      if (!(err instanceof NimbusError)) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== undefined && status >= HttpStatus.BAD_REQUEST && status < HttpStatus.INTERNAL_SERVER_ERROR) {
          // Fastify's own refusals (unparseable body, wrong content type): still NIM-shaped.
          return reply.code(HttpStatus.OK).send({ code: Codes.PARAM_ERROR.code, desc: `request: ${(err as Error).message}` });
        }
        req.log.error({ err, url: req.url }, "server API handler failed");
      }
      return reply.code(HttpStatus.OK).send(toStatus(err));
    });
    scope.setNotFoundHandler((req, reply) => {
      const desc = `no such API: ${req.method} ${req.url.split("?", 1)[0]}`;
      // NIM's envelope inside the API's space; outside it, HTTP's own 404 (with the same body shape).
      return reply.code(isNimPath(req.url) ? HttpStatus.OK : HttpStatus.NOT_FOUND).send({ code: Codes.NOT_FOUND.code, desc });
    });

    // The access log and the REST series: the NIM code is in the body (HTTP is 200 either way), so it
    // is read as the answer is serialized, and reported once the answer is sent.
    const answered = new WeakMap<FastifyRequest, number>();
    const access = deps.log.child({ component: "http" });
    scope.addHook("preSerialization", async (req, _reply, payload) => {
      const code = (payload as { code?: unknown } | null)?.code;
      if (typeof code === "number") answered.set(req, code);
      return payload;
    });
    scope.addHook("onResponse", async (req, reply) => {
      const code = answered.get(req) ?? reply.statusCode;
      const ms = Math.round(reply.elapsedTime * 10) / 10;
      const endpoint = endpointOf(req.routeOptions.url);
      deps.metrics?.restRequests.inc({ endpoint, code: String(code) });
      deps.metrics?.restSeconds.observe({ endpoint }, reply.elapsedTime / 1000);
      access.info({ method: req.method, path: req.url.split("?", 1)[0], app: req.nimApp?.appKey, code, ms }, "rest");
    });

    scope.addHook("onRequest", async (req) => {
      // An unknown path outside the API's space is answered 404 by the handler above, unsigned.
      if (req.is404 && !isNimPath(req.url)) return;
      req.nimApp = await auth.authenticate({
        appKey: header(req, "appkey"),
        nonce: header(req, "nonce"),
        curTime: header(req, "curtime"),
        checkSum: header(req, "checksum"),
      });
      refuseQueryParams(req.url);
    });

    await scope.register(rateLimit, {
      hook: "preHandler",
      timeWindow: 1000,
      keyGenerator: (req) => req.nimApp?.appKey ?? req.ip,
      max: (req) => req.nimApp?.limits.requestsPerSecond ?? 1,
      addHeaders: { "x-ratelimit-limit": false, "x-ratelimit-remaining": false, "x-ratelimit-reset": false, "retry-after": false },
      errorResponseBuilder: () => new NimbusError("RATE_LIMITED", "too many requests for this app; slow down"),
    });

    for (const ep of deps.endpoints) {
      const handle = async (req: FastifyRequest) => {
        const parsed = ep.params.safeParse(formParams(req));
        if (!parsed.success) throw new NimbusError("PARAM_ERROR", describeIssues(parsed.error));
        const ctx: NimContext = {
          app: req.nimApp!,
          system: deps.system,
          presence: deps.presence,
          messaging: deps.messaging,
          teams: deps.teams,
          superTeams: deps.superTeams,
          files: deps.files,
          publicHost: deps.publicAddress ?? header(req, "host") ?? req.host,
          chatrooms: deps.chatrooms,
          log: deps.log,
        };
        const payload = await ep.handler(ctx, parsed.data);
        return { code: Codes.OK.code, ...payload };
      };
      const path = `/${ep.module}/${ep.action}.action`;
      const options = {
        ...(ep.bodyLimit !== undefined && { bodyLimit: ep.bodyLimit }),
        ...(ep.multipart !== undefined && { config: { multipart: ep.multipart } }),
      };
      scope.post(`/nimserver${path}`, options, handle);
      scope.post(path, options, handle);
    }
  });
}
