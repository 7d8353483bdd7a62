/**
 * NIM's delayed close policy of a chat room: 0 none, 1 close `seconds` after the policy was set
 * (a timed room), 2 close once nobody has been in the room for `seconds` (an idle room).
 */
export interface DelayClose {
  policy: 0 | 1 | 2;
  seconds: number;
  /** When the policy was set (ms): a timed room closes at startTime + seconds. */
  startTime: number;
}

/** NIM's `delayInfo` of the room's answer. */
export function delayInfoOf(d: DelayClose | undefined, valid: boolean): Record<string, unknown> {
  if (!d || d.policy === 0) return { delayCloseEnable: false, delayClosePolicy: 0, delaySeconds: 0, status: 0, startTime: 0 };
  return { delayCloseEnable: true, delayClosePolicy: d.policy, delaySeconds: d.seconds, status: valid ? 1 : 2, startTime: d.startTime };
}

/** How long until the next check of the policy is due, or undefined when there is nothing to check. */
export function nextCheckMs(d: DelayClose | undefined, now: number, emptySince: number | undefined): number | undefined {
  if (!d || d.policy === 0) return undefined;
  if (d.policy === 1) return Math.max(0, d.startTime + d.seconds * 1000 - now);
  // Idle: due `seconds` after the room became empty; while it has members, look again now and then.
  if (emptySince === undefined) return Math.min(d.seconds * 1000, 60_000);
  return Math.max(0, emptySince + d.seconds * 1000 - now);
}

/** Whether the policy says the room closes now. */
export function isDue(d: DelayClose | undefined, now: number, emptySince: number | undefined): boolean {
  if (!d || d.policy === 0) return false;
  if (d.policy === 1) return now >= d.startTime + d.seconds * 1000;
  return emptySince !== undefined && now >= emptySince + d.seconds * 1000;
}
