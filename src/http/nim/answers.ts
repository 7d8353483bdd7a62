import type { z } from "zod";
import { chatroomAnswers } from "./answers/chatroom.ts";
import { eventAnswers } from "./answers/event.ts";
import { msgAnswers } from "./answers/msg.ts";
import { signalAnswers } from "./answers/signal.ts";
import { teamAnswers } from "./answers/team.ts";
import { superTeamAnswers } from "./answers/superteam.ts";
import { userAnswers } from "./answers/user.ts";

/**
 * What each server-API endpoint answers on success, beside `code: 200`: the keys NIM names
 * (`info`, `data`, `uinfos`, `desc`, …) and their shapes. One zod schema per endpoint, keyed
 * `module/action`, kept by module in answers/; the OpenAPI document is generated from these, and a
 * test (test/api/openapi-answers.test.ts) parses every endpoint's real answer with the same schema,
 * so the description cannot drift from what is sent. A new endpoint adds its schema there.
 */
export const nimAnswers: Readonly<Record<string, z.ZodObject>> = {
  ...userAnswers,
  ...msgAnswers,
  ...teamAnswers,
  ...superTeamAnswers,
  ...signalAnswers,
  ...chatroomAnswers,
  ...eventAnswers,
};
