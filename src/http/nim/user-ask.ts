import { userAddress, type UserMessage } from "../../../actors/user-protocol.ts";
import type { NimContext } from "./endpoint.ts";

/** One question to an account's user actor, in the calling app. `accid` is already lower-cased. */
export function askUser<R>(ctx: NimContext, accid: string, message: UserMessage): Promise<R> {
  return ctx.system.ask<R>(userAddress(ctx.app.appKey, accid), message);
}
