import { z } from "zod";
import type { NimEndpoint } from "./endpoint.ts";
import { nimAnswers } from "./answers.ts";

/** `{code: 200, …payload}`: the endpoint's answer schema (answers.ts) with NIM's code beside it. */
function successSchema(ep: NimEndpoint): Record<string, unknown> {
  const answer = nimAnswers[`${ep.module}/${ep.action}`];
  const ok = z.object({ code: z.literal(200), ...(answer?.shape ?? {}) });
  return z.toJSONSchema(answer ? ok.strict() : ok, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;
}

/**
 * An OpenAPI 3.1 description of the server API, generated from the very schemas the validator
 * runs (their input side: the form strings a caller sends). Served at `/nimserver/openapi.json`.
 */
export function openApiDocument(endpoints: readonly NimEndpoint[], version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const ep of endpoints) {
    const schema = z.toJSONSchema(ep.params, { io: "input", unrepresentable: "any" });
    paths[`/nimserver/${ep.module}/${ep.action}.action`] = {
      post: {
        operationId: `${ep.module.replace(/\//g, "_")}_${ep.action}`,
        summary: ep.summary,
        tags: [ep.module],
        security: [{ AppKey: [], Nonce: [], CurTime: [], CheckSum: [] }],
        requestBody: { required: true, content: { "application/x-www-form-urlencoded": { schema } } },
        responses: {
          "200": {
            description: "Always HTTP 200: `code` 200 with this endpoint's keys, or a NIM status code with `desc` (NimError).",
            content: {
              "application/json": { schema: { oneOf: [successSchema(ep), { $ref: "#/components/schemas/NimError" }] } },
            },
          },
        },
      },
    };
  }
  const apiKeyHeader = (name: string, description: string) => ({ type: "apiKey", in: "header", name, description });
  return {
    openapi: "3.1.0",
    info: {
      title: "Nimbus server API (NIM v1 compatible)",
      version,
      description: "Form-encoded POSTs signed with CheckSum = sha1(AppSecret + Nonce + CurTime); list parameters are JSON-array strings.",
    },
    paths,
    components: {
      securitySchemes: {
        AppKey: apiKeyHeader("AppKey", "the app's key"),
        Nonce: apiKeyHeader(
          "Nonce",
          "random string, at most 128 characters, never reused within 5 minutes; a request repeated with the same Nonce and CurTime is refused as a replay (431)",
        ),
        CurTime: apiKeyHeader("CurTime", "seconds since the epoch, within ±5 minutes of the server's clock"),
        CheckSum: apiKeyHeader("CheckSum", "hex sha1(AppSecret + Nonce + CurTime), lowercase as NIM documents (uppercase is accepted too)"),
      },
      schemas: {
        NimError: {
          type: "object",
          required: ["code", "desc"],
          properties: {
            code: { type: "integer", not: { const: 200 }, description: "a NIM status code: 414 bad parameter, 403, 404, 416, 431, …" },
            desc: { type: "string", description: "what is wrong, naming the parameter as sent" },
          },
          additionalProperties: false,
        },
      },
    },
  };
}
