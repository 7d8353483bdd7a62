import { GridFSBucket, MongoClient, ObjectId, type Db, type Filter, type GridFSFile } from "mongodb";
import { FILE_ID_PATTERN, fileMatches, isExpired, type FileFilter, type FileStore, type StoredFile } from "./files.ts";

const BUCKET = "nimbus_files";
// Ids are ObjectIds (what the driver types GridFS ids as), named by their 24 hex digits.

/** What a GridFS file document's `metadata` holds: the StoredFile fields GridFS does not keep itself. */
interface FileMetadata {
  appKey: string;
  contentType: string;
  tag: string;
  createdAt: number;
  expireAt: number;
}

/**
 * Files in GridFS (bucket `nimbus_files`) in the cluster's MongoDB, so every node serves what any
 * node stored. GridFS is two ordinary collections (files and 255 KiB chunks) written with plain
 * inserts, reads and deletes, which FerretDB serves too (its GridFS support is exactly that: no
 * special commands are involved). A file is visible once its files document is written, which
 * the driver does after the last chunk, so a half-uploaded file is never read. Filters run on the
 * indexed fields the driver gives (`_id`, `uploadDate`) and the metadata in this process: the
 * contentType match is a substring, which we keep out of the database's regex dialects.
 */
export class GridFsFileStore implements FileStore {
  private readonly bucket: GridFSBucket;

  private constructor(
    private readonly client: MongoClient,
    db: Db,
  ) {
    this.bucket = new GridFSBucket(db, { bucketName: BUCKET });
  }

  static async connect(url: string, database: string): Promise<GridFsFileStore> {
    const client = new MongoClient(url, { appName: "nimbus-files" });
    await client.connect();
    return new GridFsFileStore(client, client.db(database));
  }

  async put(file: Omit<StoredFile, "id" | "size">, bytes: Uint8Array): Promise<StoredFile> {
    const oid = new ObjectId();
    const id = oid.toHexString();
    const metadata: FileMetadata = { ...file };
    await new Promise<void>((resolve, reject) => {
      const upload = this.bucket.openUploadStreamWithId(oid, id, { metadata });
      upload.once("error", reject);
      upload.once("finish", () => resolve());
      upload.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    return { ...file, id, size: bytes.byteLength };
  }

  async get(id: string, now = Date.now()): Promise<{ file: StoredFile; bytes: Uint8Array } | null> {
    if (!FILE_ID_PATTERN.test(id) || id.length !== 24) return null;
    const oid = new ObjectId(id);
    const [doc] = await this.bucket.find({ _id: oid }, { limit: 1 }).toArray();
    const file = doc && storedFile(doc);
    if (!file || isExpired(file, now)) return null;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of this.bucket.openDownloadStream(oid)) chunks.push(chunk as Buffer);
    } catch {
      return null; // deleted meanwhile
    }
    return { file, bytes: Buffer.concat(chunks) };
  }

  async deleteWhere(filter: FileFilter): Promise<number> {
    const candidates = this.bucket.find({ "metadata.appKey": filter.appKey } as Filter<GridFSFile>);
    return this.deleteEach(candidates, (f) => fileMatches(f, filter));
  }

  async purgeExpired(now: number): Promise<number> {
    return this.deleteEach(this.bucket.find({ "metadata.expireAt": { $gt: 0, $lte: now } } as Filter<GridFSFile>), (f) =>
      isExpired(f, now),
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async deleteEach(cursor: AsyncIterable<GridFSFile>, match: (f: StoredFile) => boolean): Promise<number> {
    let n = 0;
    for await (const doc of cursor) {
      const f = storedFile(doc);
      if (!f || !match(f)) continue;
      try {
        await this.bucket.delete(doc._id);
        n++;
      } catch {
        // Deleted by another node meanwhile.
      }
    }
    return n;
  }
}

function storedFile(doc: GridFSFile): StoredFile | null {
  const m = doc.metadata as Partial<FileMetadata> | undefined;
  if (!(doc._id instanceof ObjectId) || !m || typeof m.appKey !== "string") return null;
  return {
    id: doc._id.toHexString(),
    appKey: m.appKey,
    contentType: typeof m.contentType === "string" ? m.contentType : "",
    tag: typeof m.tag === "string" ? m.tag : "",
    size: doc.length,
    createdAt: typeof m.createdAt === "number" ? m.createdAt : doc.uploadDate.getTime(),
    expireAt: typeof m.expireAt === "number" ? m.expireAt : 0,
  };
}
