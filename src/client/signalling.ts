import { SignalRequests, type SignalEvent, type SignalRoom } from "../protocol/signal.ts";

type Request = <T>(type: string, body?: unknown) => Promise<T>;

/**
 * Signalling from a device (PROTOCOL.md §12): invite someone into a room, answer an invitation,
 * join and leave. What happens in a room reaches every party's devices as the client's `signal`
 * event. Rooms are created by the app server (signal/createRoom.action) and named by channelId.
 */
export class SignallingClient {
  constructor(private readonly request: Request) {}

  /** Invite `to`; `save` (default true) keeps the invitation for their devices that log in while it is open. */
  invite(channelId: string, to: string, requestId: string, options: { attachExt?: string; save?: boolean } = {}): Promise<null> {
    return this.request(SignalRequests.INVITE, { channelId, to, requestId, ...options });
  }

  cancel(channelId: string, to: string, requestId: string, attachExt?: string): Promise<null> {
    return this.request(SignalRequests.CANCEL, { channelId, to, requestId, ...(attachExt !== undefined && { attachExt }) });
  }

  /** Accept the invitation `requestId` from `from`; with `join`, this device joins the room at once. */
  accept(
    channelId: string,
    from: string,
    requestId: string,
    options: { attachExt?: string; join?: boolean; uid?: number } = {},
  ): Promise<SignalRoom> {
    return this.request(SignalRequests.ACCEPT, { channelId, from, requestId, ...options });
  }

  reject(channelId: string, from: string, requestId: string, attachExt?: string): Promise<null> {
    return this.request(SignalRequests.REJECT, { channelId, from, requestId, ...(attachExt !== undefined && { attachExt }) });
  }

  join(channelId: string, options: { uid?: number; attachExt?: string } = {}): Promise<SignalRoom> {
    return this.request(SignalRequests.JOIN, { channelId, ...options });
  }

  leave(channelId: string, attachExt?: string): Promise<null> {
    return this.request(SignalRequests.LEAVE, { channelId, ...(attachExt !== undefined && { attachExt }) });
  }

  room(channelId: string): Promise<SignalRoom> {
    return this.request(SignalRequests.ROOM, { channelId });
  }

  /** Invitations stored for this account while it was offline that are still open, oldest first (NIM's offline signalling). */
  offline(): Promise<SignalEvent[]> {
    return this.request(SignalRequests.OFFLINE, {});
  }
}
