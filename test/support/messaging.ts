import { p2pConversation } from "../../src/conversation/ref.ts";
import { expect } from "vitest";
import type { NimHistoryMessage } from "../../src/http/nim/msg-format.ts";
import type { Message, SendAck } from "../../src/protocol/messages.ts";
import type { ApiNode, NimResponse } from "./nim-api.ts";
import { createUser } from "./users.ts";

/** Creates accounts over the API, in parallel. */
export async function createUsers(api: ApiNode, ...accids: string[]): Promise<void> {
  await Promise.all(accids.map((a) => createUser(api, a)));
}

/** A text message through the service, as the gateway would send it. */
export function sendText(api: ApiNode, from: string, to: string, msg: string, extra: { clientMsgId?: string } = {}): Promise<SendAck> {
  return api.node.messaging.send(api.appKey, p2pConversation(from, to), { from, type: 0, body: { msg }, ...extra });
}

/** A text message through REST `msg/sendMsg`; answers NIM's response. */
export function restSendText(
  api: ApiNode,
  from: string,
  to: string,
  msg: string,
  params: Record<string, string> = {},
): Promise<NimResponse> {
  return api.call("msg/sendMsg", { from, ope: "0", to, type: "0", body: JSON.stringify({ msg }), ...params });
}

/** Every message of a conversation `accid` may see, oldest first, paging by seq through the service. */
export async function fullHistory(api: ApiNode, accid: string, peer: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const fromSeq = (out[out.length - 1]?.seq ?? 0) + 1;
    const page = await api.node.messaging.history(api.appKey, {
      accid,
      conv: p2pConversation(accid, peer),
      fromSeq,
      limit: 100,
      order: "asc",
    });
    out.push(...page);
    if (page.length < 100) return out;
  }
}

/** A page of REST `history/querySessionMsg` as `from` sees it (all time, 100, newest first unless `extra` says otherwise); insists on 200. */
export async function restHistory(
  api: ApiNode,
  from: string,
  to: string,
  extra: Record<string, string> = {},
): Promise<NimHistoryMessage[]> {
  const res = await api.call("history/querySessionMsg", {
    from,
    to,
    begintime: "0",
    endtime: String(Date.now() + 1000),
    limit: "100",
    ...extra,
  });
  expect(res.code, `history of ${from} with ${to}: ${JSON.stringify(res)}`).toBe(200);
  expect(res.size).toBe((res.msgs as unknown[]).length);
  return res.msgs as NimHistoryMessage[];
}

export function expectOk(res: NimResponse, what: string): void {
  expect(res, what).toMatchObject({ code: 200 });
}
