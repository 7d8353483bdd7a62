import { p2pConversation } from "../../conversation/ref.ts";
import { z } from "zod";
import { friendsAddress } from "../../contracts/friends.ts";
import { userAddress } from "../../contracts/user.ts";
import { checkBody, checkOption, EXT_MAX, BODY_MAX, CLIENT_MSG_ID_MAX } from "../../messaging/validate.ts";
import type { MessageType, SendAck } from "../../protocol/messages.ts";
import { mapLimit } from "../../util/map-limit.ts";
import { NimbusError } from "../../protocol/errors.ts";
import { namedAsSent } from "./caller-names.ts";
import { endpoint, type NimContext, type NimEndpoint } from "./endpoint.ts";
import { accidList, jsonObject, messageOption, messageType } from "./msg-params.ts";
import { accid, bool, int, intEnum, jsonArray, jsonObjectText, nonEmptyText, text } from "./params.ts";

/** A tid, as `to` names it with ope 1. */
const TID = /^[1-9]\d{0,15}$/;

/** NIM: at most 500 recipients per batch, and 100 when their msgids are asked for. */
const BATCH_MAX = 500;
const BATCH_WITH_MSGIDS_MAX = 100;
/** Sends of one batch in flight at once. */
const BATCH_PARALLEL = 16;

/** The service's names for sendBatchMsg's parameters. */
const BATCH_NAMES = { from: "fromAccid", to: "toAccids" } as const;

/** NIM documents `msgDesc` (a text for search on non-text messages) at 500 characters. */
const MSG_DESC_MAX = 500;

/**
 * Parameters sendMsg and sendBatchMsg share; the push / anti-spam ones are checked and not used (no
 * push, no anti-spam). NIM's documents spell the push ones in lower case, its official SDKs in camel
 * case (`pushContent`, and `msgDesc`): both are checked alike.
 */
const commonParams = {
  type: messageType(),
  body: jsonObject(BODY_MAX),
  option: messageOption().optional(),
  pushcontent: text(500).optional(),
  pushContent: text(500).optional(),
  msgDesc: text(MSG_DESC_MAX).optional(),
  payload: jsonObjectText(2048).optional(),
  ext: text(EXT_MAX).optional(),
  bid: text(64).optional(),
  useYidun: intEnum([0, 1]).optional(),
  yidunAntiCheating: jsonObjectText(1024).optional(),
  yidunAntiSpamExt: text(1024).optional(),
  msgSenderNoSense: intEnum([0, 1]).optional(),
  env: text(32).optional(),
};

const sendMsg = endpoint({
  module: "msg",
  action: "sendMsg",
  summary:
    "Send a p2p message (ope 0) or a team message (ope 1, `to` the tid) on behalf of `from`; answers its msgid and server time. A resend with the same msgidClient answers the first result",
  params: z.object({
    from: accid(),
    ope: intEnum([0, 1]),
    to: accid(),
    ...commonParams,
    antispam: bool().optional(),
    antispamCustom: jsonObjectText(5000).optional(),
    forcepushlist: jsonArray(text(32), 100).optional(),
    forcepushcontent: text(500).optional(),
    forcepushall: bool().optional(),
    forcePushList: jsonArray(text(32), 100).optional(),
    forcePushContent: text(500).optional(),
    forcePushAll: bool().optional(),
    markRead: intEnum([0, 1]).optional(),
    checkFriend: bool().optional(),
    subType: int(1, 2_147_483_647).optional(),
    msgReceiverNoSense: intEnum([0, 1]).optional(),
    async: bool().optional(),
    msgidClient: nonEmptyText(CLIENT_MSG_ID_MAX).optional(),
    robotAccount: text(32).optional(),
    robotTopic: text(1024).optional(),
    robotFunction: text(1024).optional(),
    robotCustomContent: text(1024).optional(),
  }),
  async handler(ctx, p) {
    if (p.ope === 1 && !TID.test(p.to)) throw new NimbusError("PARAM_ERROR", "to: must be a team id with ope 1");
    if (p.ope === 0 && p.checkFriend === true) {
      checkBody(p.type as MessageType, p.body); // a bad body is a 414 before it is a 403
      await requireFriend(ctx, p.from, p.to);
    }
    const ack = await namedAsSent(
      // The team actor names the team `tid`; here it is `to`.
      { clientMsgId: "msgidClient", tid: "to" },
      ctx.messaging.send(ctx.app.appKey, p.ope === 1 ? { kind: "team", id: p.to } : p2pConversation(p.from, p.to), {
        from: p.from,
        type: p.type as MessageType,
        body: p.body,
        ...(p.ext !== undefined && { ext: p.ext }),
        ...(p.option !== undefined && { option: p.option }),
        ...(p.msgidClient !== undefined && { clientMsgId: p.msgidClient }),
      }),
    );
    return { data: { msgid: ack.msgid, timetag: ack.time, antispam: false } };
  },
});

/** NIM's checkFriend: only friends may be sent to. Refused with 403, as a relation refusal. */
async function requireFriend(ctx: NimContext, from: string, to: string): Promise<void> {
  const friend = await ctx.system.ask(friendsAddress(ctx.app.appKey, from), { t: "get", faccid: to });
  if (!friend) throw new NimbusError("FORBIDDEN", `to: ${to} is not a friend of ${from}`);
}

const sendBatchMsg = endpoint({
  module: "msg",
  action: "sendBatchMsg",
  summary:
    "Send one p2p message to up to 500 accounts; answers the accounts that do not exist (`unregister`) and, with returnMsgid, each msgid",
  params: z.object({
    fromAccid: accid(),
    toAccids: accidList(BATCH_MAX),
    ...commonParams,
    returnMsgid: bool().optional(),
  }),
  async handler(ctx, p) {
    const appKey = ctx.app.appKey;
    if (p.returnMsgid === true && p.toAccids.length > BATCH_WITH_MSGIDS_MAX) {
      throw new NimbusError("PARAM_ERROR", `toAccids: at most ${BATCH_WITH_MSGIDS_MAX} with returnMsgid`);
    }
    if (p.toAccids.includes(p.fromAccid)) throw new NimbusError("PARAM_ERROR", "toAccids: must not include fromAccid");
    // Everything the sends share is checked once, before the first one: a bad body sends nothing.
    const type = p.type as MessageType;
    checkBody(type, p.body);
    if (p.option) checkOption(p.option);
    const sender = await ctx.system.ask(userAddress(appKey, p.fromAccid), { t: "get" });
    if (!sender) throw new NimbusError("NOT_FOUND", `fromAccid: account ${p.fromAccid} does not exist`);
    if (!sender.valid) throw new NimbusError("ACCOUNT_DISABLED", `fromAccid: account ${p.fromAccid} is blocked`);
    if (sender.mute || sender.muteP2P) throw new NimbusError("ACCOUNT_MUTED", `fromAccid: account ${p.fromAccid} is muted`);

    const timetag = Date.now();
    const outcomes = await mapLimit(p.toAccids, BATCH_PARALLEL, async (to): Promise<SendAck | "unregistered" | "refused"> => {
      try {
        return await namedAsSent(
          BATCH_NAMES,
          ctx.messaging.send(appKey, p2pConversation(p.fromAccid, to), {
            from: p.fromAccid,
            type,
            body: p.body,
            ...(p.ext !== undefined && { ext: p.ext }),
            ...(p.option !== undefined && { option: p.option }),
          }),
        );
      } catch (err) {
        // Only the recipient can be missing (the sender was checked); a recipient who blacklisted
        // the sender is skipped without a word, as a single send would be refused.
        if (err instanceof NimbusError && err.code === 404) return "unregistered";
        if (err instanceof NimbusError && err.code === 403) return "refused";
        throw err;
      }
    });
    const unregister = p.toAccids.filter((_, i) => outcomes[i] === "unregistered");
    const payload: Record<string, unknown> = { unregister, timetag };
    if (p.returnMsgid === true) {
      // fromEntries: an accid may be `__proto__`, which a plain assignment would not store as a key.
      payload.msgids = Object.fromEntries(
        p.toAccids.flatMap((to, i) => {
          const o = outcomes[i];
          return typeof o === "object" && o !== null ? [[to, o.msgid]] : [];
        }),
      );
    }
    return payload;
  },
});

export const msgSendEndpoints: readonly NimEndpoint[] = [sendMsg, sendBatchMsg];
