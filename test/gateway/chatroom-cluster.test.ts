import { afterAll, beforeAll, expect, it } from "vitest";
import { enterChatroom, type ChatroomHandle, type ChatroomMessage } from "nimbus/client";
import { signedCall } from "../support/nim-api.ts";
import { describeWith } from "../support/services.ts";
import type { NodeProcess } from "../support/node-process.ts";
import { killCluster, startCluster } from "../support/cluster.ts";
import { until } from "./support.ts";
import { collect } from "./chatroom-support.ts";

const ENTRY = "test/fixtures/gateway-node.ts";
const APP_KEY = "crclusterapp";
const APP_SECRET = "chatroom-cluster-secret";

describeWith(["nats", "mongo"], "chat rooms across two node processes (real NATS and FerretDB)", () => {
  const nodes: NodeProcess[] = [];
  const handles: ChatroomHandle[] = [];
  const tokens: Record<string, string> = {};

  const call = (node: NodeProcess, path: string, params: Record<string, string>) =>
    signedCall({ url: node.url, appKey: APP_KEY, appSecret: APP_SECRET }, path, params);

  beforeAll(async () => {
    nodes.push(
      ...(await startCluster({
        entry: ENTRY,
        nodeIds: ["c1", "c2"],
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        config: { apps: [{ appKey: APP_KEY, appSecret: APP_SECRET, limits: { chatroomReceivePerSecond: 100_000 } }] },
      })),
    );
    for (const a of ["anchor", "fan1", "fan2", "fan3"]) {
      const res = (await call(nodes[0]!, "user/create", { accid: a })) as unknown as { info: { token: string } };
      tokens[a] = res.info.token;
    }
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.leave().catch(() => undefined)));
    await killCluster(nodes);
  });

  async function member(node: NodeProcess, roomid: number, accid: string): Promise<ChatroomHandle> {
    const h = await enterChatroom(roomid, {
      url: node.url,
      appKey: APP_KEY,
      accid,
      token: tokens[accid]!,
      reconnect: { minDelayMs: 100, maxDelayMs: 500 },
    });
    handles.push(h);
    return h;
  }

  it("members on both nodes get every message once and in order; history and the online count span the cluster; a killed node loses its members, not the room", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    const created = (await call(n1, "chatroom/create", { creator: "anchor", name: "stage" })) as unknown as {
      chatroom: { roomid: number };
    };
    const roomid = created.chatroom.roomid;
    const addr = (await call(n2, "chatroom/requestAddr", { roomid: String(roomid), accid: "fan1" })) as unknown as { addr: string[] };
    expect(addr.addr).toHaveLength(2);

    const anchor = await member(n1, roomid, "anchor");
    const fans = [await member(n1, roomid, "fan1"), await member(n2, roomid, "fan2"), await member(n2, roomid, "fan3")];
    expect(fans.map((f) => f.welcome.nodeId)).toEqual(["c1", "c2", "c2"]);
    const got = fans.map((f) => collect(f, "message"));

    const sent: ChatroomMessage[] = [];
    for (let i = 0; i < 60; i++) sent.push((await anchor.sendText(`line ${i}`)).message);
    // Some from the app server through the other node, interleaved with the anchor's.
    const rest = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(n2, "chatroom/sendMsg", { roomid: String(roomid), msgId: `srv-${i}`, fromAccid: "anchor", msgType: "0", attach: `srv ${i}` }),
      ),
    );
    expect(rest.every((r) => r.code === 200)).toBe(true);
    for (const g of got) await until(() => g.length >= 80, 15_000, "80 messages at every fan");
    for (const g of got) {
      expect(g.map((m) => m.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    }
    expect(got[2]!.slice(0, 60).map((m) => m.attach)).toEqual(sent.map((m) => m.attach));

    const count = async (node: NodeProcess) =>
      (
        (await call(node, "chatroom/get", { roomid: String(roomid), needOnlineUserCount: "true" })) as unknown as {
          chatroom: { onlineusercount: number };
        }
      ).chatroom.onlineusercount;
    await until(async () => (await count(n1)) === 4, 5000, "4 online");

    // kill -9 of node 2: its two members are gone from the count; the room, its history and the
    // members on node 1 go on, and node 2's members enter again through node 1.
    const dropped = fans.slice(1).map((f) => collect(f, "disconnected"));
    n2.kill("SIGKILL");
    await n2.exited;
    await until(async () => (await count(n1).catch(() => -1)) === 2, 15_000, "2 online after the kill");
    for (const d of dropped) await until(() => d.length > 0, 5000, "the drop noticed");
    const again = await member(n1, roomid, "fan2");
    const after = await anchor.sendText("after the kill");
    const latest = collect(again, "message");
    await until(() => got[0]!.some((m) => m.seq === after.message.seq), 10_000, "fan1 gets the next message");
    const history = await again.history({ limit: 200 });
    expect(history).toHaveLength(81);
    expect(history[0]!.seq).toBe(81);
    // No offline messages on re-entry: only what came after it.
    await until(() => latest.length >= 1, 10_000, "the re-entered fan gets the next message");
    expect(latest.map((m) => m.seq)).toEqual([after.message.seq]);
  });
});
