export { Actor, type ActorContext, type ActorFactory, type AskOptions } from "./actor.ts";
export {
  actorRef,
  type ActorProtocol,
  type ActorRef,
  type ReplyOf,
  type RequestNamed,
  type RequestOf,
  type UntypedAddress,
} from "./actor-ref.ts";
export { AnswerLater } from "./answer-later.ts";
export { ActorSystem, type ActorSystemOptions } from "./system.ts";
export { address, formatAddress, parseAddress, type ActorAddress } from "./address.ts";
export { Mailbox } from "./mailbox.ts";
export { ownerOf } from "./placement.ts";
export { BusMembership, SingleNodeMembership, type Membership, type MemberInfo } from "./membership.ts";
export { StaleActivationError, UnknownActorKindError } from "./errors.ts";
export { IdBlocks, ID_BLOCK_SIZE } from "./id-blocks.ts";
export type { RuntimeStats } from "./stats.ts";
