import { z } from "zod";
import { defaultGatewayOptions } from "./gateway-options.ts";

/**
 * The configuration schema: one source for validation, defaults and the error messages that name
 * the offending key. `config/default.json` holds the defaults an operator sees; these `.default()`s
 * keep a partial file valid.
 */

/** Per-app limits, NIM's numbers by default (../shared/seed/nim-limits.txt). */
export const limitsSchema = z
  .object({
    /** Friends per user. */
    maxFriends: z.number().int().positive().default(3000),
    /** Entries in each of a user's blacklist and mute list (NIM publishes no number; 3000 like friends). */
    maxRelationsPerList: z.number().int().positive().default(3000),
    /** Offline messages handed over at login: per conversation, in total, and how far back. */
    offlinePerConversation: z.number().int().positive().default(100),
    offlineTotal: z.number().int().positive().default(5000),
    offlineDays: z.number().int().positive().default(30),
    /** Roaming on a new device: conversations × messages, how far back. */
    roamingConversations: z.number().int().positive().default(100),
    roamingPerConversation: z.number().int().positive().default(100),
    roamingDays: z.number().int().positive().default(7),
    /** History retention; unset means by edition (7 days free, 365 pro). At most 3 years. */
    historyDays: z
      .number()
      .int()
      .positive()
      .max(3 * 365)
      .optional(),
    chatroomHistoryDays: z.number().int().positive().default(10),
    teamMembers: z.number().int().positive().default(200),
    /** The largest super team `tlevel` this app allows (NIM: 10,000 at most). */
    superTeamMembers: z.number().int().min(2).max(10_000).default(10_000),
    createdTeamsPerUser: z.number().int().positive().optional(),
    joinedTeamsPerUser: z.number().int().positive().default(5000),
    chatroomsPerCreator: z.number().int().positive().default(200),
    /** Normal chat room messages a member receives per second per room; more are dropped for it (NIM: 20). */
    chatroomReceivePerSecond: z.number().int().positive().default(20),
    /** High-priority messages a room may send per second; more go as normal ones (NIM: 10). */
    chatroomHighPriorityPerSecond: z.number().int().positive().default(10),
    /** Whether one account may be in a room from several clients at once (NIM's console switch; default one). */
    chatroomMultiClient: z.boolean().default(false),
    /** Whether clients may enter chat rooms without an account, to watch only (NIM's anonymous entry). */
    chatroomAnonymous: z.boolean().default(false),
    subscriptions: z.number().int().positive().default(3000),
    /** NIM's multi-device policies: 1 one device, 2 one desktop + one mobile, 3 up to 10 devices. */
    multiDevicePolicy: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(3),
    recallWindowSeconds: z.number().int().positive().default(120),
    /** REST requests per second for the app, then 416. */
    requestsPerSecond: z.number().int().positive().default(1000),
  })
  .strict();

export const hookUrlSchema = z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" });

/** NIM's callbacks (before the action, one attempt) and data sync (after it, durable): names fixed by issue 20. */
export const hooksSchema = z
  .object({
    callback: z
      .object({
        url: hookUrlSchema.optional(),
        /** One attempt within this; past it `onFailure` decides. */
        timeoutMs: z.number().int().min(100).max(60_000).default(2000),
        onFailure: z.enum(["allow", "deny"]).default("allow"),
        /** The callback eventTypes called (1 p2p message, 35 recall, 36 login, …); absent = all that apply. */
        events: z.array(z.number().int().positive()).optional(),
      })
      .strict()
      .default(() => ({ timeoutMs: 2000, onFailure: "allow" as const })),
    dataSync: z
      .object({
        url: hookUrlSchema.optional(),
        /** The data sync eventTypes sent (1 messages, 2 login, 3 logout, 7 recall, 30 receipt, 83 callback failed, …); absent = all. */
        events: z.array(z.number().int().positive()).optional(),
      })
      .strict()
      .default(() => ({})),
  })
  .strict();

export const appSchema = z
  .object({
    appKey: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/, "4 to 64 letters, digits, '_' or '-'"),
    appSecret: z.string().min(8, "at least 8 characters"),
    name: z.string().default(""),
    edition: z.enum(["free", "pro"]).default("free"),
    limits: limitsSchema.default(() => limitsSchema.parse({})),
    /** The app server's hooks: synchronous callbacks before client actions, data sync after every event (src/hooks/). */
    hooks: hooksSchema.default(() => hooksSchema.parse({})),
  })
  .strict();

/** The HTTP port's connection deadlines by default: generous for an app server, short for a silent socket. */
export const defaultHttpTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 30_000 };

export const configSchema = z
  .object({
    /** Unique within a cluster; derived from host and pid when unset. */
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "1 to 64 letters, digits, '_' or '-'")
      .optional(),
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(2567),
    /** How clients and other nodes reach this one, when it differs from host:port. */
    publicAddress: z.string().optional(),
    dataDir: z.string().min(1).default("./data"),
    store: z
      .object({
        kind: z.enum(["sqlite", "mongo"]).default("sqlite"),
        /** SQLite file name inside dataDir. */
        sqliteFile: z.string().min(1).default("nimbus.db"),
        mongoUrl: z.string().startsWith("mongodb", "a mongodb:// or mongodb+srv:// URL").optional(),
        mongoDatabase: z.string().min(1).default("nimbus"),
      })
      .strict()
      .refine((store) => store.kind !== "mongo" || store.mongoUrl, { path: ["mongoUrl"], message: "required when store.kind is mongo" })
      .default(() => ({ kind: "sqlite" as const, sqliteFile: "nimbus.db", mongoDatabase: "nimbus" })),
    bus: z
      .object({
        natsUrl: z.string().startsWith("nats", "a nats:// URL").optional(),
        /** Subject prefix, so several clusters can share one NATS. */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/)
          .default("nimbus"),
      })
      .strict()
      .default(() => ({ prefix: "nimbus" })),
    cluster: z
      .object({
        heartbeatMs: z.number().int().min(50).default(500),
        /** A member silent this long is dead; keep it a few heartbeats. */
        deadAfterMs: z.number().int().min(200).default(2500),
      })
      .strict()
      .refine((c) => c.deadAfterMs > c.heartbeatMs * 2, { path: ["deadAfterMs"], message: "must be more than two heartbeats" })
      .default(() => ({ heartbeatMs: 500, deadAfterMs: 2500 })),
    actors: z
      .object({
        idlePassivateMs: z.number().int().min(100).default(300_000),
        mailboxCapacity: z.number().int().min(1).default(1000),
        askTimeoutMs: z.number().int().min(10).default(5000),
      })
      .strict()
      .default(() => ({ idlePassivateMs: 300_000, mailboxCapacity: 1000, askTimeoutMs: 5000 })),
    /**
     * How long the HTTP port holds a connection that is not a WebSocket (see src/http/server.ts).
     * A socket that upgraded to a WebSocket is the gateway's from then on: none of these cut it.
     */
    http: z
      .object({
        /** From a connection's first byte (or the end of the previous request) to the end of the request's headers. */
        headersTimeoutMs: z.number().int().min(100).default(defaultHttpTimeouts.headersTimeoutMs),
        /** From the start of a request to the end of its body. */
        requestTimeoutMs: z.number().int().min(100).default(defaultHttpTimeouts.requestTimeoutMs),
        /** A kept-alive connection with no new request for this long is closed. */
        keepAliveTimeoutMs: z.number().int().min(100).default(defaultHttpTimeouts.keepAliveTimeoutMs),
        /** A connection that sends or reads nothing for this long is closed, whatever state it is in. */
        idleTimeoutMs: z.number().int().min(100).default(defaultHttpTimeouts.idleTimeoutMs),
      })
      .strict()
      .refine((h) => h.headersTimeoutMs <= h.requestTimeoutMs, {
        path: ["headersTimeoutMs"],
        message: "must not be more than requestTimeoutMs",
      })
      .default(() => ({ ...defaultHttpTimeouts })),
    /** The realtime link; see src/config/gateway-options.ts for what each knob does. */
    gateway: z
      .object({
        maxFrameBytes: z.number().int().min(1024).default(defaultGatewayOptions.maxFrameBytes),
        resumeWindowMs: z.number().int().min(1000).default(defaultGatewayOptions.resumeWindowMs),
        resumeBufferFrames: z.number().int().min(1).default(defaultGatewayOptions.resumeBufferFrames),
        ratePerSecond: z.number().int().min(1).default(defaultGatewayOptions.ratePerSecond),
        rateBurst: z.number().int().min(1).default(defaultGatewayOptions.rateBurst),
        rateCloseAfterRefused: z.number().int().min(1).default(defaultGatewayOptions.rateCloseAfterRefused),
        pingIntervalMs: z.number().int().min(500).default(defaultGatewayOptions.pingIntervalMs),
        seatReservationSeconds: z.number().int().min(1).default(defaultGatewayOptions.seatReservationSeconds),
        joinTimeoutMs: z.number().int().min(100).default(defaultGatewayOptions.joinTimeoutMs),
        outgoingBufferBytes: z.number().int().min(65_536).default(defaultGatewayOptions.outgoingBufferBytes),
        loginFailuresPerAccount: z.number().int().min(1).default(defaultGatewayOptions.loginFailuresPerAccount),
        loginFailuresPerAddress: z.number().int().min(1).default(defaultGatewayOptions.loginFailuresPerAddress),
        loginFailureWindowMs: z.number().int().min(100).default(defaultGatewayOptions.loginFailureWindowMs),
        loginLockoutMs: z.number().int().min(100).default(defaultGatewayOptions.loginLockoutMs),
      })
      .strict()
      .default(() => ({ ...defaultGatewayOptions })),
    apps: z
      .array(appSchema)
      .default([])
      .superRefine((apps, ctx) => {
        const seen = new Set<string>();
        apps.forEach((app, i) => {
          if (seen.has(app.appKey)) ctx.addIssue({ code: "custom", path: [i, "appKey"], message: `duplicate appKey ${app.appKey}` });
          seen.add(app.appKey);
        });
      }),
    log: z
      .object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") })
      .strict()
      .default(() => ({ level: "info" as const })),
    /**
     * The operator console at /console: `token` is the credential its browser sends as
     * `Authorization: Bearer …` (never in a URL, never an app's secret). Without one the console's
     * API answers 503 and does nothing.
     */
    operator: z
      .object({ token: z.string().min(16, "must be at least 16 characters").optional() })
      .strict()
      .default(() => ({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type AppLimits = z.infer<typeof limitsSchema>;
export type HooksConfig = z.infer<typeof hooksSchema>;
export type HttpTimeouts = Config["http"];
