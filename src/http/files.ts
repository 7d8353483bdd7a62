import type { FastifyInstance } from "fastify";
import type { FileStore } from "../store/files.ts";

/** Where an uploaded file is served: `/nimserver/files/<id>` (what msg/upload answers as `url`). */
export const FILES_PATH = "/nimserver/files";

/**
 * Downloads of uploaded files: unsigned GETs, as NIM's file URLs are, by an id nobody can guess
 * (a UUID or an ObjectId). The file is served with the type its uploader gave, as an attachment
 * unless it is an image (not SVG), audio or video, so a browser never runs an uploaded page in this origin.
 */
export function registerFileDownloads(app: FastifyInstance, files: FileStore): void {
  app.get<{ Params: { id: string } }>(`${FILES_PATH}/:id`, async (req, reply) => {
    const found = await files.get(req.params.id);
    if (!found) return reply.code(404).send({ code: 404, desc: "no such file" });
    const type = found.file.contentType;
    // SVG is an image that can carry script: never inline.
    const inline = /^(image|audio|video)\/[\w.+-]+$/.test(type) && !type.includes("svg");
    return reply
      .header("content-type", inline ? type : "application/octet-stream")
      .header("content-disposition", inline ? "inline" : "attachment")
      .header("x-content-type-options", "nosniff")
      .header("cache-control", "private, max-age=86400")
      .send(Buffer.from(found.bytes.buffer, found.bytes.byteOffset, found.bytes.byteLength));
  });
}
