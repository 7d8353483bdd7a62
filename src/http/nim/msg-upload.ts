import { randomUUID } from "node:crypto";
import { z } from "zod";
import { NimbusError } from "../../protocol/errors.ts";
import { FILES_PATH } from "../files.ts";
import { endpoint, type NimContext, type NimEndpoint } from "./endpoint.ts";
import { millis } from "./msg-params.ts";
import { bool, int, text } from "./params.ts";

/**
 * File upload (NIM msg/upload, msg/fileUpload) and deletion (job/nos/del), as NIM's Java and Go
 * SDKs send them (UploadFileRequestV1: content, type, ishttps, expireSec, tag; DeleteFileRequestV1:
 * startTime, endTime, contentType, tag) and read them back (`url` at the top level; `data.taskid`).
 * The file is kept in the node's FileStore and served by the node at `url`.
 */

/** NIM's limit for a file the server API uploads: 15 MB (seed nim-limits.txt). */
export const UPLOAD_MAX_BYTES = 15 * 1024 * 1024;
/**
 * The body limit of the two upload routes only (the API's is 1 MB): 15 MB as base64 is 20 MiB,
 * and form encoding escapes its `+` and `/` (about 6% more for random bytes), with room to spare.
 */
const UPLOAD_BODY_LIMIT = 32 * 1024 * 1024;
/** NIM: expireSec must be at least a day. */
const EXPIRE_MIN_S = 86_400;
const EXPIRE_MAX_S = 100 * 365 * 86_400;
const TAG_MAX = 32;
const TYPE_MAX = 128;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `content`: standard base64 of at most UPLOAD_MAX_BYTES once decoded. Checked on the text's
 * length before anything is decoded, so an oversized upload costs no copy.
 */
function base64Content() {
  return z
    .string({ error: "required" })
    .min(1, "required")
    .refine((s) => s.length % 4 !== 1 && BASE64.test(s), "not base64")
    .refine((s) => decodedLength(s) <= UPLOAD_MAX_BYTES, `too large: at most ${UPLOAD_MAX_BYTES} bytes (15 MB) once decoded`)
    .transform((s) => Buffer.from(s, "base64"))
    .meta({ description: `base64 of the file, at most ${UPLOAD_MAX_BYTES} bytes (15 MB) once decoded` });
}

function decodedLength(s: string): number {
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  return Math.floor(((s.length - pad) * 3) / 4);
}

const uploadParams = z.object({
  content: base64Content(),
  type: text(TYPE_MAX).optional(),
  ishttps: bool().optional(),
  expireSec: int(EXPIRE_MIN_S, EXPIRE_MAX_S).optional(),
  tag: text(TAG_MAX).optional(),
});

async function store(ctx: NimContext, p: z.output<typeof uploadParams>): Promise<{ url: string }> {
  const now = Date.now();
  const file = await ctx.files.put(
    {
      appKey: ctx.app.appKey,
      contentType: p.type ?? "",
      tag: p.tag ?? "",
      createdAt: now,
      expireAt: p.expireSec === undefined ? 0 : now + p.expireSec * 1000,
    },
    p.content,
  );
  // ishttps asks for an https URL (a node behind a TLS proxy); the node itself serves http.
  const scheme = p.ishttps === true ? "https" : "http";
  return { url: `${scheme}://${ctx.publicHost}${FILES_PATH}/${file.id}` };
}

const upload = endpoint({
  module: "msg",
  action: "upload",
  summary:
    "Upload a file given as base64 `content` (at most 15 MB decoded); answers the `url` the node serves it at. type: its MIME type; expireSec ≥ 86400 (absent: kept until deleted); tag ≤ 32 for job/nos/del",
  params: uploadParams,
  bodyLimit: UPLOAD_BODY_LIMIT,
  handler: store,
});

const fileUpload = endpoint({
  module: "msg",
  action: "fileUpload",
  summary:
    "msg/upload as multipart/form-data: the file as the `content` part (at most 15 MB), the other parameters as fields; a form-encoded request with base64 content is taken too",
  params: uploadParams,
  bodyLimit: UPLOAD_BODY_LIMIT,
  multipart: { fileSize: UPLOAD_MAX_BYTES },
  handler: store,
});

const nosDel = endpoint({
  module: "job/nos",
  action: "del",
  summary:
    "Delete the app's uploaded files created between startTime and endTime (ms, inclusive) whose type contains contentType and whose tag is tag; answers data.taskid (the deletion is done when it answers)",
  params: z.object({ startTime: millis(), endTime: millis(), contentType: text(TYPE_MAX).optional(), tag: text(TAG_MAX).optional() }),
  async handler(ctx, p) {
    if (p.endTime < p.startTime) throw new NimbusError("PARAM_ERROR", "endTime: must not be before startTime");
    const deleted = await ctx.files.deleteWhere({
      appKey: ctx.app.appKey,
      fromTime: p.startTime,
      toTime: p.endTime,
      ...(p.contentType !== undefined && p.contentType !== "" && { contentType: p.contentType }),
      ...(p.tag !== undefined && p.tag !== "" && { tag: p.tag }),
    });
    ctx.log.info({ appKey: ctx.app.appKey, deleted }, "job/nos/del deleted uploaded files");
    return { data: { taskid: randomUUID().replaceAll("-", "") } };
  },
});

export const msgUploadEndpoints: readonly NimEndpoint[] = [upload, fileUpload];
export const jobEndpoints: readonly NimEndpoint[] = [nosDel];
