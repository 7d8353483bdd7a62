import { userAddress, type UserMessage, type UserProtocol } from "../../contracts/user.ts";
import type { ReplyOf } from "../../runtime/actor-ref.ts";
import type { NimContext } from "./endpoint.ts";

/** One question to an account's user actor, in the calling app. `accid` is already lower-cased. */
export function askUser<M extends UserMessage>(ctx: NimContext, accid: string, message: M): Promise<ReplyOf<UserProtocol, M>> {
  return ctx.system.ask(userAddress(ctx.app.appKey, accid), message);
}
