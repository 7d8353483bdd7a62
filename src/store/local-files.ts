import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FILE_ID_PATTERN, fileMatches, isExpired, type FileFilter, type FileStore, type StoredFile } from "./files.ts";

const META = ".json";
const DATA = ".bin";

/**
 * Files under one directory (`<dataDir>/files`), for a node on its own: `<id>.bin` holds the bytes
 * and `<id>.json` what is known about them. The bytes are written to a temporary name and renamed,
 * then the metadata likewise: a file exists only once its metadata does, so a crash in between
 * leaves at most an orphan `.bin` (removed by the next purge), never a file that reads short.
 */
export class LocalFileStore implements FileStore {
  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<LocalFileStore> {
    await mkdir(dir, { recursive: true });
    return new LocalFileStore(dir);
  }

  async put(file: Omit<StoredFile, "id" | "size">, bytes: Uint8Array): Promise<StoredFile> {
    const id = randomUUID().replaceAll("-", "");
    const stored: StoredFile = { ...file, id, size: bytes.byteLength };
    await this.writeAtomically(id + DATA, bytes);
    await this.writeAtomically(id + META, JSON.stringify(stored));
    return stored;
  }

  async get(id: string, now = Date.now()): Promise<{ file: StoredFile; bytes: Uint8Array } | null> {
    const file = await this.meta(id);
    if (!file || isExpired(file, now)) return null;
    try {
      return { file, bytes: await readFile(join(this.dir, id + DATA)) };
    } catch {
      return null;
    }
  }

  async deleteWhere(filter: FileFilter): Promise<number> {
    return this.deleteAll((f) => fileMatches(f, filter));
  }

  async purgeExpired(now: number): Promise<number> {
    return this.deleteAll((f) => isExpired(f, now));
  }

  async close(): Promise<void> {}

  private async deleteAll(match: (f: StoredFile) => boolean): Promise<number> {
    let n = 0;
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith(META)) continue;
      const id = name.slice(0, -META.length);
      const f = await this.meta(id);
      if (!f || !match(f)) continue;
      // Metadata first: from then on the file does not exist, whatever happens to the bytes.
      await rm(join(this.dir, id + META), { force: true });
      await rm(join(this.dir, id + DATA), { force: true });
      n++;
    }
    return n;
  }

  private async meta(id: string): Promise<StoredFile | null> {
    if (!FILE_ID_PATTERN.test(id)) return null;
    try {
      return JSON.parse(await readFile(join(this.dir, id + META), "utf8")) as StoredFile;
    } catch {
      return null;
    }
  }

  private async writeAtomically(name: string, data: Uint8Array | string): Promise<void> {
    const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
    await writeFile(tmp, data, { flush: true });
    await rename(tmp, join(this.dir, name));
  }
}
