import { defineConfig } from "tsup";

/**
 * `npm run build`: the client SDK (`nimbus/client`) as JavaScript for plain Node (ESM and CommonJS),
 * bundlers and browsers, with its .d.ts. Its own modules (src/client, and the wire types it shares
 * with the server from src/protocol and src/conversation) are bundled; its dependencies (the
 * Colyseus SDK, msgpack) stay imports, resolved by whoever installs the package.
 */
export default defineConfig({
  entry: { index: "src/client/mod.ts" },
  outDir: "dist/client",
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "neutral",
  skipNodeModulesBundle: true,
  outExtension: ({ format }) => ({ js: format === "cjs" ? ".cjs" : ".js" }),
});
