import { defineConfig } from "vitest/config";

/**
 * The suites that run a second time on FerretDB over PostgreSQL (the main run uses its SQLite
 * handler, which serializes every write): the multi-node clusters and the store contract, where
 * the backend's concurrency decides whether the fences and the journal's guarantees hold.
 */
const onPostgres = ["test/cluster/**/*.test.ts", "test/gateway/*cluster*.test.ts", "test/contract/store.mongo.test.ts"];

export default defineConfig({
  // In-repo tests import `nimbus/client` from its TypeScript source (the package's "source"
  // condition); plain Node gets the built dist/ (test/integration/sdk-package.test.ts).
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Real services and node processes share 2 cores; a handful of files at once keeps timings sane.
    maxWorkers: 2,
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "postgresql", include: onPostgres, env: { NIMBUS_TEST_FERRETDB_HANDLER: "postgresql" } },
      },
    ],
  },
});
