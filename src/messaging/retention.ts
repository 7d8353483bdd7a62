import type { App } from "../apps/registry.ts";
import { DAY_MS } from "../conversation/entry.ts";

/**
 * How long the journal keeps a p2p message: long enough for every use NIM promises — history
 * (7 days free / a year pro), offline delivery (30 days) and roaming (7 days). NIM keeps offline
 * messages apart from history; with one journal, a free app's message must outlive its 7 days of
 * history to be delivered offline for 30. History queries still show only `historyDays`.
 */
export function journalRetentionDays(app: App): number {
  const l = app.limits;
  return Math.max(l.historyDays, l.offlineDays, l.roamingDays);
}

/** The oldest time history shows for this app. */
export function historyCutoff(app: App, now: number): number {
  return now - app.limits.historyDays * DAY_MS;
}

export function daysAgo(days: number, now: number): number {
  return now - days * DAY_MS;
}
