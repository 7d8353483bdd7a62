import { WebSocket as WsWebSocket } from "ws";
import { LocalDriver, LocalPresence, matchMaker } from "@colyseus/core";
import { setLogger } from "@colyseus/core/Logger";
import type { Logger } from "pino";
import { ROOM_NAME } from "../protocol/link.ts";
import { ImRoom } from "./im-room.ts";
import { ChatroomRoom } from "./chatroom-room.ts";
import { CHATROOM_ROOM_NAME } from "../protocol/chatroom.ts";

// Colyseus 0.18 reads the global WebSocket when a client resumes (Room.ts `WebSocket.OPEN`); Node 20
// has none. main.ts sets this too, but tests import the node directly, so the gateway does it as well.
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") {
  (globalThis as { WebSocket?: unknown }).WebSocket = WsWebSocket;
}

let ready: Promise<void> | undefined;

/**
 * Colyseus's matchmaker is a process-wide singleton. Nimbus uses only its local half: every node
 * serves the devices that reach its own port, and the cluster is joined by the bus, not by Colyseus's
 * presence and driver. So: an in-process presence and driver, set up once per process (tests run
 * several nodes in one process, one after another or side by side), and no `matchMaker.accept()`:
 * nothing listens for cross-process room creation, no health checks or stats timers run.
 *
 * The `colyseus` `Server` class is not used either: it would own the listening port, install signal
 * handlers and mount its own HTTP router. The node keeps Fastify on its one port and does those itself.
 */
export function ensureColyseusRuntime(log: Logger): Promise<void> {
  ready ??= (async () => {
    // Colyseus logs through console by default; route it into the node's log (the first node's, when
    // a process hosts several). A prefix, not another `component` key: the gateway's log has one.
    setLogger(log.child({}, { msgPrefix: "colyseus: " }));
    await matchMaker.setup(new LocalPresence(), new LocalDriver());
    matchMaker.defineRoomType(ROOM_NAME, ImRoom);
    matchMaker.defineRoomType(CHATROOM_ROOM_NAME, ChatroomRoom);
  })();
  return ready;
}
