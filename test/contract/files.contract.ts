import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { FileStore } from "../../src/store/files.ts";

const MB = 1024 * 1024;

/** The FileStore port's contract, run on every adapter (local files, GridFS). */
export function fileStoreContract(name: string, open: () => Promise<FileStore>): void {
  describe(`FileStore contract: ${name}`, () => {
    const opened: FileStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    async function fresh(): Promise<FileStore> {
      const s = await open();
      opened.push(s);
      return s;
    }
    const base = { contentType: "image/png", tag: "", createdAt: 1_000, expireAt: 0 };

    it("stores and reads back 15 MB byte for byte, with what is known about it", async () => {
      const s = await fresh();
      const bytes = randomBytes(15 * MB);
      const put = await s.put({ ...base, appKey: "app1", tag: "t" }, bytes);
      expect(put).toMatchObject({ appKey: "app1", contentType: "image/png", tag: "t", size: 15 * MB, createdAt: 1_000, expireAt: 0 });
      const got = await s.get(put.id);
      expect(got?.file).toEqual(put);
      expect(Buffer.compare(Buffer.from(got!.bytes), bytes)).toBe(0);
      const empty = await s.put({ ...base, appKey: "app1" }, new Uint8Array(0));
      expect((await s.get(empty.id))?.bytes.byteLength).toBe(0);
    });

    it("answers null for ids it never gave, however they are spelled", async () => {
      const s = await fresh();
      for (const id of ["", "../../etc/passwd", "0".repeat(24), "0".repeat(32), "ZZ", "a".repeat(1000)]) expect(await s.get(id)).toBeNull();
    });

    it("deletes by app, time range, contentType substring and exact tag, and nothing else", async () => {
      const s = await fresh();
      const app = `app${Date.now()}`;
      const a = await s.put({ ...base, appKey: app, contentType: "image/jpeg", tag: "avatar", createdAt: 100 }, Buffer.from("a"));
      const b = await s.put({ ...base, appKey: app, contentType: "image/png", tag: "avatars", createdAt: 200 }, Buffer.from("b"));
      const c = await s.put({ ...base, appKey: app, contentType: "video/mp4", tag: "avatar", createdAt: 300 }, Buffer.from("c"));
      const other = await s.put({ ...base, appKey: `${app}x`, contentType: "image/jpeg", tag: "avatar", createdAt: 100 }, Buffer.from("o"));
      expect(await s.deleteWhere({ appKey: app, fromTime: 0, toTime: 250, contentType: "image", tag: "avatar" })).toBe(1);
      expect(await s.get(a.id)).toBeNull();
      expect((await s.get(b.id))?.bytes).toBeDefined();
      expect(await s.deleteWhere({ appKey: app, fromTime: 250, toTime: 300 })).toBe(1);
      expect(await s.get(c.id)).toBeNull();
      expect(await s.deleteWhere({ appKey: app, fromTime: 0, toTime: 1000, contentType: "png" })).toBe(1);
      expect(await s.get(b.id)).toBeNull();
      expect(Buffer.from((await s.get(other.id))!.bytes).toString()).toBe("o");
    });

    it("hides an expired file at once and purges it", async () => {
      const s = await fresh();
      const now = Date.now();
      const old = await s.put({ ...base, appKey: "app2", expireAt: now - 1 }, Buffer.from("x"));
      const kept = await s.put({ ...base, appKey: "app2", expireAt: now + 60_000 }, Buffer.from("y"));
      expect(await s.get(old.id, now)).toBeNull();
      expect(await s.purgeExpired(now)).toBeGreaterThanOrEqual(1);
      expect(await s.get(old.id, 0)).toBeNull();
      expect(Buffer.from((await s.get(kept.id, now))!.bytes).toString()).toBe("y");
    });
  });
}
