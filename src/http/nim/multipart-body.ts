import { Busboy } from "@fastify/busboy";
import { NimbusError } from "../../protocol/errors.ts";
import type { FormParams } from "./form-body.ts";

/** Fields besides the file; NIM's upload takes four. */
const FIELDS_MAX = 16;
const FIELD_BYTES_MAX = 4096;

export const MULTIPART_CONTENT_TYPE = "multipart/form-data";

/** Whether a Content-Type header names a multipart form. */
export function isMultipart(header: string | undefined): boolean {
  return header !== undefined && header.trim().toLowerCase().startsWith(MULTIPART_CONTENT_TYPE);
}

/**
 * A `multipart/form-data` body (msg/fileUpload) as the parameters its endpoint validates: each
 * field as text, and the one file part as base64 text under its field name, as a form-encoded
 * upload sends it, so one schema checks both. A file past `fileSize` bytes, a second file, a field
 * given twice or too many fields is a 414 naming it. Parsed with busboy (@fastify/busboy).
 */
export function parseMultipart(body: Buffer, contentType: string, fileSize: number): Promise<FormParams> {
  return new Promise((resolve, reject) => {
    const out: FormParams = Object.create(null) as FormParams;
    let failed: NimbusError | undefined;
    const fail = (param: string, problem: string) => {
      failed ??= new NimbusError("PARAM_ERROR", `${param}: ${problem}`);
    };
    const seen = (name: string): boolean => {
      if (Object.hasOwn(out, name)) fail(name, "given more than once");
      return failed !== undefined;
    };
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: { "content-type": contentType },
        limits: { files: 1, fields: FIELDS_MAX, fieldSize: FIELD_BYTES_MAX, fileSize: fileSize + 1 },
      });
    } catch (err) {
      reject(new NimbusError("PARAM_ERROR", `Content-Type: ${(err as Error).message}`));
      return;
    }
    parser.on("field", (name, value, _nameTruncated, valueTruncated) => {
      if (seen(name)) return;
      if (valueTruncated) fail(name, `too long: at most ${FIELD_BYTES_MAX} bytes`);
      out[name] = value;
    });
    parser.on("file", (name, stream) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= fileSize) chunks.push(chunk);
      });
      stream.on("end", () => {
        if (seen(name)) return;
        if (size > fileSize) fail(name, `too large: at most ${fileSize} bytes`);
        else out[name] = Buffer.concat(chunks).toString("base64");
      });
    });
    parser.on("filesLimit", () => fail("content", "only one file may be sent"));
    parser.on("fieldsLimit", () => fail("parameters", `too many: at most ${FIELDS_MAX}`));
    parser.on("error", (err) =>
      reject(new NimbusError("PARAM_ERROR", `request: not a valid multipart body: ${String((err as Error).message ?? err)}`)),
    );
    parser.on("finish", () => (failed ? reject(failed) : resolve(out)));
    parser.end(body);
  });
}
