import type { PresenceChange } from "nimbus/client";

/** `<seq>:<value>:<client types online>[:<reason>]`, the seq as `s<seq>` for a sync. */
export function brief(e: PresenceChange): string {
  return [e.sync ? `s${e.seq}` : e.seq, e.value, e.clientTypes.join("+"), ...(e.reason !== undefined ? [e.reason] : [])].join(":");
}
