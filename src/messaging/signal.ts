import { randomUUID } from "node:crypto";
import {
  signalBoxAddress,
  signalNameAddress,
  signalRoomAddress,
  type SignalRoomMessage,
  type SignalRoomProtocol,
} from "../contracts/signal.ts";
import { NimbusError, refuse } from "../protocol/errors.ts";
import type { SignalEvent, SignalRoom, SignalRoomType } from "../protocol/signal.ts";
import type { ReplyOf } from "../runtime/actor-ref.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { requireAccounts } from "./admission.ts";

/** How long a room lives, and what delayRoom adds from now (NIM: two hours). */
export const SIGNAL_ROOM_TTL_MS = 2 * 3_600_000;

/**
 * Signalling as both edges use it (NIM signal/*.action for the app server; the device requests of
 * PROTOCOL.md §12): rooms are actors (`signal/<app>/<channelId>`), a name actor holds each open
 * room's channelName, and a box actor per account keeps the invitations stored for it. Callers
 * have checked the shapes; this checks the accounts, resolves names and asks the room.
 */
export class Signalling {
  constructor(private readonly system: ActorSystem) {}

  async create(appKey: string, req: { channelName?: string; type: SignalRoomType; creator: string; ext: string }): Promise<SignalRoom> {
    await requireAccounts(this.system, appKey, [{ field: "from", accid: req.creator }]);
    const channelId = randomUUID().replaceAll("-", "");
    const channelName = req.channelName ?? channelId;
    const name = signalNameAddress(appKey, channelName);
    const holder = await this.system.ask(name, { t: "claim", channelId, expireAt: Date.now() + SIGNAL_ROOM_TTL_MS });
    if (holder !== channelId) throw new NimbusError("SIGNAL_ROOM_EXISTS", `channelName: a room named ${channelName} is open`);
    try {
      return await this.room(appKey, channelId, {
        t: "create",
        channelName,
        type: req.type,
        creator: req.creator,
        ext: req.ext,
        ttlMs: SIGNAL_ROOM_TTL_MS,
      });
    } catch (err) {
      await this.system.ask(name, { t: "release", channelId }).catch(() => undefined);
      throw err;
    }
  }

  /** By id, or by the name of an open room. */
  async info(appKey: string, q: { channelId?: string; channelName?: string }): Promise<SignalRoom> {
    let channelId = q.channelId;
    if (channelId === undefined) {
      if (q.channelName === undefined) refuse("channelId", "required (or channelName)");
      const held = await this.system.ask(signalNameAddress(appKey, q.channelName), { t: "lookup" });
      if (held === null) throw new NimbusError("SIGNAL_ROOM_NOT_FOUND", `channelName: no open room named ${q.channelName}`);
      channelId = held;
    }
    return this.room(appKey, channelId, { t: "info" });
  }

  delay(appKey: string, channelId: string): Promise<SignalRoom> {
    return this.room(appKey, channelId, { t: "delay", ttlMs: SIGNAL_ROOM_TTL_MS });
  }

  async invite(
    appKey: string,
    channelId: string,
    req: { from: string; to: string; requestId: string; attachExt: string; save: boolean },
  ): Promise<void> {
    if (req.from === req.to) refuse("to", "must not be the inviter");
    await requireAccounts(this.system, appKey, [
      { field: "from", accid: req.from },
      { field: "to", accid: req.to },
    ]);
    await this.room(appKey, channelId, { t: "invite", ...req });
  }

  /** Any other request a room takes, as is. */
  room<M extends SignalRoomMessage>(appKey: string, channelId: string, m: M): Promise<ReplyOf<SignalRoomProtocol, M>> {
    return this.system.ask(signalRoomAddress(appKey, channelId), m);
  }

  /** The invitations stored for `accid` that are still open, oldest first. */
  offline(appKey: string, accid: string): Promise<SignalEvent[]> {
    return this.system.ask(signalBoxAddress(appKey, accid), { t: "list" });
  }
}
