import { expect, it } from "vitest";
import { connectNatsBus } from "../../src/bus/nats.ts";
import { BusClosedError, BusTimeoutError, NoRespondersError } from "../../src/bus/errors.ts";
import { freePort } from "../support/processes.ts";
import type { BusLogger } from "../../src/bus/handlers.ts";
import { describeWith, serviceUrl, uniqueName } from "../support/services.ts";
import { busContract } from "./bus.contract.ts";

/** The contract makes handlers throw on purpose; keep those expected errors out of the output. */
const quiet: BusLogger = { error: () => {} };

describeWith(["nats"], "NatsBus", () => {
  // Two connections with one fresh prefix per test: a shared message space no other test hears.
  busContract("nats", async () => {
    const url = serviceUrl("nats");
    const prefix = uniqueName("bus");
    const a = await connectNatsBus({ url, name: `${prefix}-a`, prefix, logger: quiet });
    const b = await connectNatsBus({ url, name: `${prefix}-b`, prefix, logger: quiet });
    return {
      a,
      b,
      close: async () => {
        await Promise.all([a.close(), b.close()]);
      },
    };
  });
});

describeWith(["nats"], "NatsBus specifics", () => {
  it("keeps prefixes apart: buses with different prefixes never hear each other", async () => {
    const url = serviceUrl("nats");
    const p1 = uniqueName("bus");
    const p2 = uniqueName("bus");
    const a = await connectNatsBus({ url, name: "p1", prefix: p1, logger: quiet });
    const b = await connectNatsBus({ url, name: "p2", prefix: p2, logger: quiet });
    try {
      // a serves under p1; b, under p2, finds nobody.
      a.serve("svc.x", (d) => d);
      await a.flush();
      const err: unknown = await b.request("svc.x", new Uint8Array(0), { timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoRespondersError);
      expect((err as Error).cause).toBeDefined(); // the NATS error is kept
      const heardByB: string[] = [];
      const heardByA: string[] = [];
      b.subscribe(">", (_d, s) => void heardByB.push(s));
      a.subscribe(">", (_d, s) => void heardByA.push(s));
      await Promise.all([a.flush(), b.flush()]);
      a.publish("user.app.x", new Uint8Array(0));
      await a.flush();
      await b.flush();
      expect(heardByA).toEqual(["user.app.x"]); // un-prefixed for handlers
      expect(heardByB).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("keeps the NATS error as the cause of a timeout", async () => {
    const url = serviceUrl("nats");
    const prefix = uniqueName("bus");
    const bus = await connectNatsBus({ url, name: "t", prefix, logger: quiet });
    try {
      bus.serve("hang", () => new Promise<Uint8Array>(() => {}));
      await bus.flush();
      const err: unknown = await bus.request("hang", new Uint8Array(0), { timeoutMs: 50 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusTimeoutError);
      expect((err as Error).cause).toBeDefined();
    } finally {
      await bus.close();
    }
  });

  it("fails to connect with BusClosedError when no server listens", async () => {
    const port = await freePort();
    await expect(connectNatsBus({ url: `nats://127.0.0.1:${port}`, name: "x", logger: quiet })).rejects.toBeInstanceOf(BusClosedError);
  });
});
