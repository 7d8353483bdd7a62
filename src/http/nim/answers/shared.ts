import { z } from "zod";

/** The answer of an endpoint that says nothing but `code: 200`. */
export const empty = z.object({}).describe("no keys beside code");

/** An answer schema per endpoint, keyed `module/action`. */
export type AnswerSchemas = Readonly<Record<string, z.ZodObject>>;

/**
 * A p2p or team message as the server API's history shows it (history/querySessionMsg,
 * history/queryTeamMsg; src/http/nim/msg-format.ts).
 */
export const historyMessage = z
  .object({
    from: z.string(),
    to: z.string().describe("the receiving account, or the tid for a team message"),
    msgid: z.number().int(),
    msgidclient: z.string(),
    sendtime: z.number().int().describe("ms since the epoch"),
    type: z.number().int(),
    fromclienttype: z.number().int(),
    body: z.string().describe("the message body as a JSON string"),
    ext: z.string().optional(),
    seq: z.number().int().describe("Nimbus: gap-free position in the conversation"),
    recalled: z.boolean().optional(),
  })
  .strict();
