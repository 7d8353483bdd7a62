import type { FileStore } from "./files.ts";

export type FileStoreOptions = { kind: "local"; dir: string } | { kind: "gridfs"; url: string; database: string };

/** Opens the configured adapter; the MongoDB driver is loaded only for GridFS. */
export async function openFileStore(options: FileStoreOptions): Promise<FileStore> {
  if (options.kind === "local") {
    const { LocalFileStore } = await import("./local-files.ts");
    return LocalFileStore.open(options.dir);
  }
  const { GridFsFileStore } = await import("./gridfs-files.ts");
  return GridFsFileStore.connect(options.url, options.database);
}
