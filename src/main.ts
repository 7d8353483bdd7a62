// Colyseus 0.18 reads the global WebSocket on reconnection; Node 20 has none (see PROTOCOL notes).
import { WebSocket as WsWebSocket } from "ws";
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") {
  (globalThis as { WebSocket?: unknown }).WebSocket = WsWebSocket;
}

import { loadConfig, ConfigError } from "./config/mod.ts";
import { startNode } from "./node.ts";

/** `npm start`: one node from config and environment; SIGTERM/SIGINT drain it and exit. */
async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`nimbus: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config, devApp } = loaded;
  const node = await startNode(config);
  if (devApp) {
    // On stderr: stdout is the log, which a collector may parse line by line.
    process.stderr.write(
      [
        "",
        `  Nimbus node ${node.nodeId} is up at http://${node.address}`,
        "  Development app (kept in the data dir; set NIMBUS_APP_KEY / NIMBUS_APP_SECRET to choose your own):",
        `    AppKey:    ${devApp.appKey}`,
        `    AppSecret: ${devApp.appSecret}`,
        "",
      ].join("\n") + "\n",
    );
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    node.log.info({ signal }, "draining");
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        node.log.error({ err }, "unclean shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(`nimbus: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
