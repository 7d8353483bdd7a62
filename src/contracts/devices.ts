import type { ClientType } from "../protocol/link.ts";

/** One logged-in device, wherever in the cluster it is connected. */
export interface DeviceRecord {
  /** The gateway's session id: unique per login, precise where a device id is not. */
  sessionId: string;
  deviceId: string;
  clientType: ClientType;
  nodeId: string;
  /** The node's start time: a restarted node with the same id has none of these devices. */
  nodeStartedAt: number;
  loginTime: number;
  ip: string;
  /** As the device gave them at login, for the login event log. */
  sdkVersion?: string;
  customTag?: string;
}

/** NIM's multi-device policies: 1 one device, 2 one desktop plus one mobile, 3 up to 10 devices. */
export type MultiDevicePolicy = 1 | 2 | 3;
