import { LocalBus } from "../../src/bus/local.ts";
import type { BusLogger } from "../../src/bus/handlers.ts";
import { busContract } from "./bus.contract.ts";

/** The contract makes handlers throw on purpose; keep those expected errors out of the output. */
const quiet: BusLogger = { error: () => {} };

// Two handles on one hub, as two nodes' connections share one nats-server.
busContract("local", async () => {
  const a = new LocalBus({ logger: quiet });
  const b = a.peer();
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
});
