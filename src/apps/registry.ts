import type { AppConfig, AppLimits } from "../config/schema.ts";

/** History retention by edition, as NIM sells it: 7 days free, a year pro. */
const HISTORY_DAYS = { free: 7, pro: 365 } as const;
/** Teams a user may create, by edition (NIM: 50 free, 100 pro). */
const CREATED_TEAMS = { free: 50, pro: 100 } as const;

export interface App extends AppConfig {
  /** Limits with the edition's defaults filled in. */
  limits: AppLimits & { historyDays: number; createdTeamsPerUser: number };
}

/** The apps this node serves, by key. Multi-tenant as NIM is: every request names its app. */
export class AppRegistry {
  private readonly byKey = new Map<string, App>();

  constructor(apps: readonly AppConfig[]) {
    for (const a of apps) {
      this.byKey.set(a.appKey, {
        ...a,
        limits: {
          ...a.limits,
          historyDays: a.limits.historyDays ?? HISTORY_DAYS[a.edition],
          createdTeamsPerUser: a.limits.createdTeamsPerUser ?? CREATED_TEAMS[a.edition],
        },
      });
    }
  }

  get(appKey: string): App | undefined {
    return this.byKey.get(appKey);
  }

  all(): App[] {
    return [...this.byKey.values()];
  }
}
