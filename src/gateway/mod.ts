/** The realtime gateway's public entry: what node.ts and the rest of the node may use. */
export { Gateway, type GatewayDeps } from "./gateway.ts";
export { defaultGatewayOptions, type GatewayOptions } from "../config/gateway-options.ts";
export type { LocalDevice } from "./device-session.ts";
export type { Admission, DeviceListener, OfflineListener, OfflineReason } from "./device-lifecycle.ts";
export type { DeviceContext, RequestHandler } from "./requests.ts";
export type { LoginGrant } from "./login-grant.ts";
export { clientCategory, type ClientCategory } from "../protocol/client-category.ts";
