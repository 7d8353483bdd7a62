/** The Bus layer's public entry: the port, its errors, and the two implementations. */
export type { Bus, BusKind, BusSubscription, MessageHandler, RequestHandler, RequestOptions } from "./port.ts";
export { BusClosedError, BusTimeoutError, InvalidSubjectError, NoRespondersError } from "./errors.ts";
export type { BusLogger } from "./handlers.ts";
export { isValidPattern, isValidSubject, matches } from "./subject.ts";
export { LocalHub } from "./local-hub.ts";
export { LocalBus, type LocalBusOptions } from "./local.ts";
export { connectNatsBus, NatsBus, type NatsBusOptions } from "./nats.ts";
