import { inject, describe } from "vitest";
import { randomBytes } from "node:crypto";

export type ServiceName = "nats" | "mongo";

const hints: Record<ServiceName, string> = {
  nats: "install nats-server (apt-get install -y nats-server) or set NIMBUS_TEST_NATS_URL",
  mongo: "install ferretdb (see .ci/run; the postgresql project also needs Debian's postgresql package) or set NIMBUS_TEST_MONGO_URL",
};

/** The URL of a real service for this run, or "" when there is none. */
export function serviceUrl(name: ServiceName): string {
  return name === "nats" ? inject("natsUrl") : inject("mongoUrl");
}

/**
 * `describe` for a suite that needs real services. Without them it skips and says so loudly;
 * under CI a missing service is a failure, never a quiet skip.
 */
export function describeWith(services: ServiceName[], name: string, body: () => void): void {
  const missing = services.filter((s) => !serviceUrl(s));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const why = missing.map((s) => `${s}: ${hints[s]}`).join("; ");
  if (process.env.CI === "true") {
    describe(name, () => {
      throw new Error(`required service missing under CI — ${why}`);
    });
    return;
  }
  console.warn(`\n*** SKIPPING "${name}": ${why} ***\n`);
  describe.skip(name, body);
}

/** A name no other test uses: database names, subject prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}
