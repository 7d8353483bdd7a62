import type { MessagingService } from "../../messaging/service.ts";
import type { SuperTeams } from "../../teams/superteams.ts";
import type { TeamsService } from "../../teams/service.ts";
import type { z } from "zod";
import type { Logger } from "pino";
import type { App } from "../../apps/registry.ts";
import type { ActorSystem } from "../../runtime/system.ts";
import type { PresenceView } from "../../contracts/presence.ts";
import type { FileStore } from "../../store/files.ts";
import type { ChatroomService } from "../../chatrooms/service.ts";

/** What a handler may use: the calling app and the actor system (and, later, the gateway). */
export interface NimContext {
  app: App;
  system: ActorSystem;
  log: Logger;
  /** Online devices per account, cluster-wide. */
  presence: PresenceView;
  /** Messaging by conversation (p2p, teams): sends, recalls, deletes, receipts, history, notifications. */
  messaging: MessagingService;
  /** Advanced teams: membership, settings, limits. */
  teams: TeamsService;
  /** Super teams (superteam/*). */
  superTeams: SuperTeams;
  /** Uploaded files (msg/upload, msg/fileUpload, job/nos/del). */
  files: FileStore;
  /** host[:port] that reaches this node, for URLs it answers: the configured public address, else the request's Host. */
  publicHost: string;
  /** Chat rooms: create, send, history, requestAddr. */
  chatrooms: ChatroomService;
}

/** Top-level keys beside `code` in the answer, as NIM names them (`info`, `uinfos`, …). */
export type NimPayload = Record<string, unknown>;

export interface NimEndpoint<S extends z.ZodType = z.ZodType> {
  /** e.g. `user` or `event/subscribe`. */
  module: string;
  /** e.g. `create`. */
  action: string;
  summary: string;
  params: S;
  handler(ctx: NimContext, params: z.output<S>): Promise<NimPayload>;
  /** A larger request body than the API's 1 MB, for this endpoint only (uploads). */
  bodyLimit?: number;
  /**
   * Also takes `multipart/form-data` (msg/fileUpload): its fields are the parameters, and a file
   * part is given to the schema as base64 text, as the form-encoded request sends it.
   */
  multipart?: { fileSize: number };
}

/** Keeps the handler's params typed by the schema. */
export function endpoint<S extends z.ZodType>(def: NimEndpoint<S>): NimEndpoint<S> {
  return def;
}
