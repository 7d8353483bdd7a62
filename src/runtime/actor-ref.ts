/**
 * Typed actor references, as Orleans grain interfaces and Proto.Actor's generated grain clients
 * give them: an actor kind declares its protocol — for each request tag, the request's fields and
 * the reply — and its address is made as an `ActorRef` of that protocol. `ask` and `tell` on a ref
 * take only the requests that protocol names and answer the reply it declares, so a caller cannot
 * send a message the actor does not take, nor read an answer as the wrong type.
 *
 * A ref is its address string (what placement hashes and the bus carries), branded at compile time
 * only: nothing is allocated or wrapped at run time.
 */
declare const protocolOf: unique symbol;

/** Request tag -> the request's fields (beside `t`) and what the actor answers. */
export type ActorProtocol = Record<string, { request: object; reply: unknown }>;

/** Every message an actor of protocol P takes: each request's fields with its tag as `t`. */
export type RequestOf<P extends ActorProtocol> = { [K in keyof P & string]: { t: K } & P[K]["request"] }[keyof P & string];

/** The one request of P tagged `T`. */
export type RequestNamed<P extends ActorProtocol, T extends keyof P & string> = { t: T } & P[T]["request"];

/** What the actor answers to request M. */
export type ReplyOf<P extends ActorProtocol, M extends { t: string }> = P[M["t"]]["reply"];

/** The address of an actor that speaks protocol P. */
export type ActorRef<P extends ActorProtocol> = string & { readonly [protocolOf]: P };

/**
 * An address that carries no protocol: the runtime's own tests and benchmarks address actors by
 * plain strings, and get `unknown` back. A typed ref never matches it, so a domain call cannot
 * fall back to the untyped form when its message is wrong.
 */
export type UntypedAddress = string & { readonly [protocolOf]?: undefined };

/** The ref of actor `kind/appKey/id`, typed by the protocol of that kind. */
export function actorRef<P extends ActorProtocol>(kind: string, appKey: string, id: string): ActorRef<P> {
  return `${kind}/${appKey}/${id}` as ActorRef<P>;
}
