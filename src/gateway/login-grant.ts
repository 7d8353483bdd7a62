import type { ClientType } from "../protocol/link.ts";

/**
 * What a successful login proves: who the device is. It travels from the matchmake request to the
 * WebSocket join as the seat's auth data (Colyseus `client.auth`); the token itself stays behind.
 */
export interface LoginGrant {
  appKey: string;
  /** Lower-cased, as accounts are stored and subjects are named. */
  accid: string;
  deviceId: string;
  clientType: ClientType;
  /** Where the login came from, as the node saw it (behind a proxy: as Fastify's trustProxy resolves it). */
  ip: string;
  /** As the device gave them (JoinOptions), for the login event log. */
  sdkVersion?: string;
  customTag?: string;
}
