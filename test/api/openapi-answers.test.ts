import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { z } from "zod";
import { nimEndpoints } from "../../src/http/nim/catalog.ts";
import { nimAnswers } from "../../src/http/nim/answers.ts";
import { startApiNode, type ApiNode } from "../support/nim-api.ts";
import { sweepFixture } from "../support/sweep-examples.ts";

type Schema = { properties?: Record<string, Schema>; items?: Schema; required?: string[]; oneOf?: Schema[]; $ref?: string };
type OpenApi = { paths: Record<string, { post: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }> };

// The OpenAPI document's answers come from the schemas in answers.ts; here every endpoint's real
// answer (its sweep example, a valid request) is parsed with the same schema, strictly, so the
// description cannot drift from what the API sends.
describe("server API answers, as described", () => {
  let api: ApiNode;
  let doc: OpenApi;
  beforeAll(async () => {
    api = await startApiNode({ backend: "sqlite" });
    doc = (await (await fetch(`${api.url}/nimserver/openapi.json`)).json()) as OpenApi;
  });
  afterAll(async () => api.close());

  const success = (path: string): Schema => {
    const schema = doc.paths[`/nimserver/${path}.action`]!.post.responses["200"]!.content["application/json"]!.schema;
    return schema.oneOf!.find((s) => s.$ref === undefined)!;
  };

  it("has an answer schema for every endpoint, and only for endpoints that exist", () => {
    const paths = nimEndpoints.map((ep) => `${ep.module}/${ep.action}`);
    expect(Object.keys(nimAnswers).sort()).toEqual([...paths].sort());
  });

  it("describes each endpoint's own keys: info.token, data.msgid, uinfos, msgs, tinfos, desc, …", () => {
    expect(success("user/create").properties!.info!.properties!.token).toBeDefined();
    expect(success("user/create").required).toContain("info");
    expect(success("msg/sendMsg").properties!.data!.properties!.msgid).toBeDefined();
    expect(success("user/getUinfos").properties!.uinfos!.items!.properties!.accid).toBeDefined();
    expect(success("history/querySessionMsg").properties!.msgs!.items!.properties!.msgidclient).toBeDefined();
    expect(success("user/userOnlineStatus").properties!.data!.properties!.onlineStatusList).toBeDefined();
    expect(success("team/query").properties!.tinfos!.items!.properties!.tid).toBeDefined();
    expect(success("team/queryDetail").properties!.tinfo!.properties!.admins!.items!.properties!.accid).toBeDefined();
    expect(success("chatroom/sendMsg").properties!.desc!.properties!.msgid_client).toBeDefined();
    expect(success("chatroom/get").properties!.chatroom!.properties!.delayInfo!.properties!.delayClosePolicy).toBeDefined();
    expect(success("signal/createRoom").properties!.data!.properties!.channelId).toBeDefined();
    expect(success("msg/broadcastMsg").properties!.msg!.properties!.broadcastId).toBeDefined();
  });

  it("answers every endpoint's valid request in exactly the shape described", async () => {
    const fixture = await sweepFixture(api, "oa");
    for (const ep of nimEndpoints) {
      const path = `${ep.module}/${ep.action}`;
      const example = fixture.examples[path];
      expect(example, path).toBeDefined();
      const answer = await api.call(path, example!.params);
      expect(answer.code, `${path}: ${JSON.stringify(answer)}`).toBe(200);
      const schema = z.object({ code: z.literal(200), ...nimAnswers[path]!.shape }).strict();
      const parsed = schema.safeParse(answer);
      expect(parsed.success, `${path}: ${JSON.stringify(answer)} ${parsed.error?.message ?? ""}`).toBe(true);
    }
  });
});
