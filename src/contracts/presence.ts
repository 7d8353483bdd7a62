/**
 * Who is online, as the REST API reads it: a port the realtime gateway implements (one node's
 * devices, or the cluster's through the user actors' device registries) and the edges consume.
 */
export interface OnlineDevice {
  clientType: string;
  loginTime: number;
  deviceId?: string;
}

/** The part of the gateway the REST API reads: who is online right now. */
export interface PresenceView {
  devicesOf(appKey: string, accid: string): Promise<OnlineDevice[]>;
}
