import { z } from "zod";
import type { ActorSystem } from "../runtime/system.ts";
import { Signalling } from "../messaging/signal.ts";
import { SignalRequests, type SignalEvent, type SignalRoom } from "../protocol/signal.ts";
import { ACCID_PATTERN } from "../protocol/accid.ts";
import { requiredText, text } from "../protocol/text-schema.ts";
import type { RequestHandler } from "./requests.ts";
import { parseBody } from "./messaging-schemas.ts";

const channelId = requiredText(64).regex(/^[A-Za-z0-9_-]+$/, "only letters, digits, _ and -");
const accid = requiredText(32)
  .regex(ACCID_PATTERN, "only letters, digits and _ @ . - are allowed")
  .transform((s) => s.toLowerCase());
const attachExt = text(4096).optional();
const requestId = requiredText(128);
const uid = z.number().int("must be an integer").min(1, "must be at least 1").max(Number.MAX_SAFE_INTEGER).optional();

const joinSchema = z.object({ channelId, uid, attachExt });
const leaveSchema = z.object({ channelId, attachExt });
const inviteSchema = z.object({ channelId, to: accid, requestId, attachExt, save: z.boolean().optional() });
const cancelSchema = z.object({ channelId, to: accid, requestId, attachExt });
const acceptSchema = z.object({ channelId, from: accid, requestId, attachExt, join: z.boolean().optional(), uid });
const rejectSchema = z.object({ channelId, from: accid, requestId, attachExt });
const roomSchema = z.object({ channelId });

/**
 * The devices' signalling requests (PROTOCOL.md §12): the calling account and device come from the
 * session, never from the body, so a device acts only as itself — it invites and cancels as the
 * inviter, accepts and rejects as the invitee, joins and leaves as itself.
 */
export function registerSignalRequests(register: (type: string, handler: RequestHandler) => void, deps: { system: ActorSystem }): void {
  const signalling = new Signalling(deps.system);
  register(SignalRequests.JOIN, (device, body): Promise<SignalRoom> => {
    const r = parseBody(joinSchema, body, "join");
    const { appKey, accid: me, deviceId } = device.session;
    return signalling.room(appKey, r.channelId, {
      t: "join",
      accid: me,
      deviceId,
      attachExt: r.attachExt ?? "",
      ...(r.uid !== undefined && { uid: r.uid }),
    });
  });
  register(SignalRequests.LEAVE, (device, body): Promise<null> => {
    const r = parseBody(leaveSchema, body, "leave");
    const { appKey, accid: me } = device.session;
    return signalling.room(appKey, r.channelId, { t: "leave", accid: me, attachExt: r.attachExt ?? "" });
  });
  register(SignalRequests.INVITE, async (device, body): Promise<null> => {
    const r = parseBody(inviteSchema, body, "invite");
    const { appKey, accid: me } = device.session;
    await signalling.invite(appKey, r.channelId, {
      from: me,
      to: r.to,
      requestId: r.requestId,
      attachExt: r.attachExt ?? "",
      save: r.save ?? true,
    });
    return null;
  });
  register(SignalRequests.CANCEL, (device, body): Promise<null> => {
    const r = parseBody(cancelSchema, body, "cancel");
    const { appKey, accid: me } = device.session;
    return signalling.room(appKey, r.channelId, { t: "cancel", from: me, to: r.to, requestId: r.requestId, attachExt: r.attachExt ?? "" });
  });
  register(SignalRequests.ACCEPT, (device, body): Promise<SignalRoom> => {
    const r = parseBody(acceptSchema, body, "accept");
    const { appKey, accid: me, deviceId } = device.session;
    return signalling.room(appKey, r.channelId, {
      t: "accept",
      by: me,
      deviceId,
      inviter: r.from,
      requestId: r.requestId,
      attachExt: r.attachExt ?? "",
      join: r.join ?? false,
      ...(r.uid !== undefined && { uid: r.uid }),
    });
  });
  register(SignalRequests.REJECT, (device, body): Promise<null> => {
    const r = parseBody(rejectSchema, body, "reject");
    const { appKey, accid: me } = device.session;
    return signalling.room(appKey, r.channelId, {
      t: "reject",
      by: me,
      inviter: r.from,
      requestId: r.requestId,
      attachExt: r.attachExt ?? "",
    });
  });
  register(SignalRequests.ROOM, (device, body): Promise<SignalRoom> => {
    const r = parseBody(roomSchema, body, "room");
    return signalling.info(device.session.appKey, { channelId: r.channelId });
  });
  register(SignalRequests.OFFLINE, (device): Promise<SignalEvent[]> => {
    const { appKey, accid: me } = device.session;
    return signalling.offline(appKey, me);
  });
}
