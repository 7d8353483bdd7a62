import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../src/store/keyed-lock.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe("KeyedLock", () => {
  it("runs work on one key one at a time, in call order", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let running = 0;
    const job = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`${name}+`);
      await tick();
      log.push(`${name}-`);
      running--;
      return name;
    };
    expect(await Promise.all([lock.run("k", job("a")), lock.run("k", job("b")), lock.run("k", job("c"))])).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a+", "a-", "b+", "b-", "c+", "c-"]);
  });

  it("lets different keys run concurrently", async () => {
    const lock = new KeyedLock();
    let running = 0;
    let peak = 0;
    const job = async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
    };
    await Promise.all([lock.run("a", job), lock.run("b", job), lock.run("c", job)]);
    expect(peak).toBe(3);
  });

  it("keeps going after a failed job and passes its error to its caller", async () => {
    const lock = new KeyedLock();
    const failed = lock.run("k", async () => {
      throw new Error("boom");
    });
    const next = lock.run("k", async () => "ok");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ok");
  });
});
