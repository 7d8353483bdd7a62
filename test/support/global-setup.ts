import type { TestProject } from "vitest/node";
import {
  ferretHandlerFrom,
  findBinary,
  findPostgresBin,
  startFerretDb,
  startNatsServer,
  type FerretHandler,
  type RunningService,
} from "./processes.ts";

/**
 * Starts one nats-server and one FerretDB for the whole run (tests isolate themselves by subject
 * prefix and database name), unless NIMBUS_TEST_NATS_URL / NIMBUS_TEST_MONGO_URL point at running
 * ones. What cannot be had is provided as "" and the suites that need it skip loudly — or fail
 * under CI, see `services.ts`.
 */
declare module "vitest" {
  export interface ProvidedContext {
    natsUrl: string;
    mongoUrl: string;
    ferretHandler: FerretHandler;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: RunningService[] = [];
  const handler = ferretHandlerFrom(project.config.env?.NIMBUS_TEST_FERRETDB_HANDLER);

  let natsUrl = process.env.NIMBUS_TEST_NATS_URL ?? "";
  if (!natsUrl) {
    const bin = findBinary("nats-server");
    if (bin) {
      const svc = await startNatsServer(bin);
      started.push(svc);
      natsUrl = svc.url;
    }
  }

  let mongoUrl = process.env.NIMBUS_TEST_MONGO_URL ?? "";
  if (!mongoUrl) {
    const bin = findBinary("ferretdb");
    // Over PostgreSQL, its server binaries too; without them the suites skip loudly (fail under CI).
    if (bin && (handler === "sqlite" || findPostgresBin())) {
      const svc = await startFerretDb(bin, handler);
      started.push(svc);
      mongoUrl = svc.url;
    }
  }

  project.provide("natsUrl", natsUrl);
  project.provide("mongoUrl", mongoUrl);
  project.provide("ferretHandler", handler);

  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
