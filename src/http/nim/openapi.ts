import { z } from "zod";
import type { NimEndpoint } from "./endpoint.ts";

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
            description: "Always HTTP 200: `code` 200 with the payload keys, or a NIM status code with `desc`.",
            content: { "application/json": { schema: { $ref: "#/components/schemas/NimResponse" } } },
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
        NimResponse: {
          type: "object",
          required: ["code"],
          properties: { code: { type: "integer" }, desc: { type: "string" } },
          additionalProperties: true,
        },
      },
    },
  };
}
