import { z } from "zod";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accid, bool, nonEmptyText, text } from "./params.ts";
import { askUser } from "./user-ask.ts";
import { profileParams } from "./user-profile.ts";

const TOKEN_MAX = 128;
const PROPS_MAX = 1024;
const KICK_NOTIFY_EXT_MAX = 1024;

const create = endpoint({
  module: "user",
  action: "create",
  summary: "Create an account; answers its token (generated when not given), the only time it is shown",
  params: z.object({
    accid: accid(),
    token: nonEmptyText(TOKEN_MAX).optional(),
    props: text(PROPS_MAX).optional(),
    ...profileParams,
  }),
  async handler(ctx, p) {
    const info = await askUser(ctx, p.accid, { ...p, t: "create" });
    return { info };
  },
});

const update = endpoint({
  module: "user",
  action: "update",
  summary: "Replace an account's token and/or its (deprecated) props",
  params: z.object({ accid: accid(), token: nonEmptyText(TOKEN_MAX).optional(), props: text(PROPS_MAX).optional() }),
  async handler(ctx, p) {
    await askUser(ctx, p.accid, { t: "update", token: p.token, props: p.props });
    return {};
  },
});

const refreshToken = endpoint({
  module: "user",
  action: "refreshToken",
  summary: "Give an account a new random token; the old one stops working",
  params: z.object({ accid: accid() }),
  async handler(ctx, p) {
    const info = await askUser(ctx, p.accid, { t: "refreshToken" });
    return { info };
  },
});

const block = endpoint({
  module: "user",
  action: "block",
  summary: "Ban an account (it can no longer log in), optionally kicking its online devices",
  params: z.object({
    accid: accid(),
    needkick: bool().optional(),
    kickNotifyExt: text(KICK_NOTIFY_EXT_MAX).optional(),
    needUnbindPushToken: bool().optional(),
  }),
  async handler(ctx, p) {
    await askUser(ctx, p.accid, {
      t: "block",
      needkick: p.needkick ?? false,
      kickNotifyExt: p.kickNotifyExt,
      needUnbindPushToken: p.needUnbindPushToken,
    });
    return {};
  },
});

const unblock = endpoint({
  module: "user",
  action: "unblock",
  summary: "Lift an account's ban",
  params: z.object({ accid: accid() }),
  async handler(ctx, p) {
    await askUser(ctx, p.accid, { t: "unblock" });
    return {};
  },
});

const mute = endpoint({
  module: "user",
  action: "mute",
  summary: "Mute or unmute an account everywhere",
  params: z.object({ accid: accid(), mute: bool() }),
  async handler(ctx, p) {
    await askUser(ctx, p.accid, { t: "mute", mute: p.mute });
    return {};
  },
});

const muteModule = endpoint({
  module: "user",
  action: "muteModule",
  summary: "Mute or unmute an account in p2p chats, teams, chat rooms and QChat separately; answers the resulting flags",
  params: z.object({
    accid: accid(),
    muteP2P: bool().optional(),
    muteTeam: bool().optional(),
    muteRoom: bool().optional(),
    muteQChat: bool().optional(),
  }),
  async handler(ctx, p) {
    const data = await askUser(ctx, p.accid, {
      t: "muteModule",
      muteP2P: p.muteP2P,
      muteTeam: p.muteTeam,
      muteRoom: p.muteRoom,
      muteQChat: p.muteQChat,
    });
    return { data };
  },
});

const setDonnop = endpoint({
  module: "user",
  action: "setDonnop",
  summary: "Whether mobile devices get no push while a desktop client of the account is online",
  params: z.object({ accid: accid(), donnopOpen: bool() }),
  async handler(ctx, p) {
    await askUser(ctx, p.accid, { t: "setDonnop", donnopOpen: p.donnopOpen });
    return {};
  },
});

/** Accounts, tokens, bans and mutes. */
export const accountEndpoints: readonly NimEndpoint[] = [create, update, refreshToken, block, unblock, mute, muteModule, setDonnop];
