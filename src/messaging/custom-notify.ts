import type { Bus } from "../bus/port.ts";
import type { ActorSystem } from "../runtime/system.ts";
import { MessagingEvents, type SystemNotification } from "../protocol/messages.ts";
import { encodeUserEvent, userSubject } from "../protocol/user-events.ts";
import { NimbusError } from "../protocol/errors.ts";
import { userAddress } from "../contracts/user.ts";

export interface CustomNotifyDeps {
  bus: Bus;
  system: ActorSystem;
}

/**
 * A client-to-client custom notification (typing, "seen", a game move): fire-and-forget to the
 * peer's online devices. It takes no turn of an actor on purpose: nothing is stored, no
 * conversation actor is involved, and a typing indicator must cost one relation check
 * and one publish, not a journal write. Devices that are offline never see it, and a login sync never
 * brings it back (`stored: false`, `seq: 0`).
 *
 * The recipient's user actor is asked once (the same question a message send asks): a missing
 * account answers 404, and a recipient that has blacklisted the sender gets nothing, while the
 * sender is answered as usual (it must not learn that it is blacklisted from a typing indicator).
 */
export async function sendCustomNotification(
  deps: CustomNotifyDeps,
  appKey: string,
  req: { from: string; to: string; attach: string },
): Promise<SystemNotification> {
  const admission = await deps.system.ask(userAddress(appKey, req.to), { t: "admits", from: req.from });
  if (!admission) throw new NimbusError("NOT_FOUND", `to: account ${req.to} does not exist`);
  const notification: SystemNotification = { seq: 0, from: req.from, to: req.to, attach: req.attach, time: Date.now(), stored: false };
  if (!admission.blacklisted) {
    deps.bus.publish(userSubject(appKey, req.to), encodeUserEvent({ ev: MessagingEvents.NOTIFICATION, ...notification }));
  }
  return notification;
}
