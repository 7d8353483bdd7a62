import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import type { z } from "zod";
import type { Logger } from "pino";
import type { App, AppRegistry } from "../../apps/registry.ts";
import type { ActorSystem } from "../../runtime/system.ts";
import { NimbusError, toStatus } from "../../protocol/errors.ts";
import { RequestAuthenticator } from "./auth.ts";
import { checkFormContentType, parseForm, refuseQueryParams, type FormParams } from "./form-body.ts";
import type { NimContext, NimEndpoint } from "./endpoint.ts";
import type { PresenceView } from "../../contracts/presence.ts";
import type { MessagingService } from "../../messaging/service.ts";
import type { NonceStore } from "../../store/mod.ts";
import type { ChatroomService } from "../../chatrooms/service.ts";

export interface NimApiDeps {
  apps: AppRegistry;
  system: ActorSystem;
  presence: PresenceView;
  messaging: MessagingService;
  chatrooms: ChatroomService;
  /** Where request nonces are claimed, cluster-wide (the node's store). */
  nonces: NonceStore;
  log: Logger;
  endpoints: readonly NimEndpoint[];
}

declare module "fastify" {
  interface FastifyRequest {
    nimApp?: App;
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
        checkFormContentType(req.headers["content-type"]);
        done(null, parseForm(body as Buffer));
      } catch (err) {
        done(err as Error);
      }
    });

    scope.setErrorHandler((err, req, reply: FastifyReply) => {
      if (!(err instanceof NimbusError)) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== undefined && status >= 400 && status < 500) {
          // Fastify's own refusals (unparseable body, wrong content type): still NIM-shaped.
          return reply.code(200).send({ code: 414, desc: `request: ${(err as Error).message}` });
        }
        req.log.error({ err, url: req.url }, "server API handler failed");
      }
      return reply.code(200).send(toStatus(err));
    });
    scope.setNotFoundHandler((req, reply) => reply.code(200).send({ code: 404, desc: `no such API: ${req.method} ${req.url}` }));

    scope.addHook("onRequest", async (req) => {
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
          chatrooms: deps.chatrooms,
          log: deps.log,
        };
        const payload = await ep.handler(ctx, parsed.data);
        return { code: 200, ...payload };
      };
      const path = `/${ep.module}/${ep.action}.action`;
      scope.post(`/nimserver${path}`, handle);
      scope.post(path, handle);
    }
  });
}
