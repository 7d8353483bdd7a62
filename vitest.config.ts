import { defineConfig } from "vitest/config";

export default defineConfig({
  // In-repo tests import `nimbus/client` from its TypeScript source (the package's "source"
  // condition); plain Node gets the built dist/ (test/integration/sdk-package.test.ts).
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Real services and node processes share 2 cores; a handful of files at once keeps timings sane.
    maxWorkers: 2,
    globalSetup: ["test/support/global-setup.ts"],
  },
});
