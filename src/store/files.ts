/**
 * The file store port: what the server API's uploads (msg/upload, msg/fileUpload) are kept in and
 * served from. Kept apart from the Store port (messages and actor state) because its values are
 * large blobs and its adapters differ: files under the data directory for one node, GridFS in the
 * cluster's MongoDB for many (every node reads what any node stored). One contract suite
 * (test/contract/files.contract.ts) holds both to the same behaviour.
 */

/** What is known about a stored file. */
export interface StoredFile {
  /** Opaque, URL-safe; what the download URL names. */
  id: string;
  appKey: string;
  /** The uploader's `type` (a MIME type, as NIM takes it); "" when none was given. */
  contentType: string;
  /** The uploader's `tag`; "" when none was given. */
  tag: string;
  size: number;
  /** ms since the epoch. */
  createdAt: number;
  /** ms since the epoch; 0 = kept until deleted. */
  expireAt: number;
}

/** Which files a deletion job takes: `createdAt` within [fromTime, toTime], and the optional filters. */
export interface FileFilter {
  appKey: string;
  fromTime: number;
  toTime: number;
  /** Matches when the file's contentType contains it (NIM job/nos/del). */
  contentType?: string;
  /** Matches the file's tag exactly. */
  tag?: string;
}

export interface FileStore {
  /** Stores the bytes under a new id; answered once they are durable. */
  put(file: Omit<StoredFile, "id" | "size">, bytes: Uint8Array): Promise<StoredFile>;
  /** A file and its bytes; null when there is none (never stored, deleted, or expired). */
  get(id: string, now?: number): Promise<{ file: StoredFile; bytes: Uint8Array } | null>;
  /** Deletes every file the filter matches; answers how many went. */
  deleteWhere(filter: FileFilter): Promise<number>;
  /** Deletes files whose expireAt (when set) is at or before `now`. */
  purgeExpired(now: number): Promise<number>;
  close(): Promise<void>;
}

/** Whether a file's metadata matches a deletion filter. */
export function fileMatches(f: StoredFile, filter: FileFilter): boolean {
  return (
    f.appKey === filter.appKey &&
    f.createdAt >= filter.fromTime &&
    f.createdAt <= filter.toTime &&
    (filter.contentType === undefined || f.contentType.includes(filter.contentType)) &&
    (filter.tag === undefined || f.tag === filter.tag)
  );
}

export function isExpired(f: StoredFile, now: number): boolean {
  return f.expireAt !== 0 && f.expireAt <= now;
}

/**
 * File ids are hex: 32 digits (a UUID, local files) or 24 (an ObjectId, GridFS). Nothing in one
 * can reach outside a directory or a bucket.
 */
export const FILE_ID_PATTERN = /^[0-9a-f]{24}(?:[0-9a-f]{8})?$/;
