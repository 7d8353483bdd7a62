import { afterAll, beforeAll, expect, it } from "vitest";
import { describeOnEachStore, newestMessages, startApiNode, type ApiNode, type CallOptions } from "../support/nim-api.ts";

/**
 * A signed request replayed within its 5 minutes is refused however the node got there: the nonce
 * is claimed in the store, so a restart (or, see test/cluster/replay.test.ts, another node) does
 * not forget it. Read back: the message was stored once.
 */
describeOnEachStore("server API: replays across restarts", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
    for (const accid of ["replayer", "replayee"]) expect((await api.call("user/create", { accid })).code).toBe(200);
  });
  afterAll(async () => api.close());

  const send = { from: "replayer", ope: "0", to: "replayee", type: "0", body: JSON.stringify({ msg: "once" }) };

  async function messages(): Promise<number> {
    const res = await api.call("history/querySessionMsg", newestMessages("replayer", "replayee"));
    expect(res.code).toBe(200);
    return res.size as number;
  }

  it("refuses a request replayed after the node restarted, and stores the message once", async () => {
    const signed: CallOptions = { nonce: `replay-${backend}-${Date.now()}`, curTime: String(Math.floor(Date.now() / 1000)) };
    expect((await api.call("msg/sendMsg", send, signed)).code).toBe(200);
    await api.restart();
    expect(await api.call("msg/sendMsg", send, signed)).toEqual({ code: 431, desc: "Nonce was already used: replayed request" });
    expect(await messages()).toBe(1);
  });

  it("accepts the same Nonce with another CurTime: that is a new signature, not a replay", async () => {
    const nonce = `reuse-${backend}-${Date.now()}`;
    const now = Math.floor(Date.now() / 1000);
    expect((await api.call("user/getUinfos", { accids: '["replayer"]' }, { nonce, curTime: String(now - 10) })).code).toBe(200);
    expect((await api.call("user/getUinfos", { accids: '["replayer"]' }, { nonce, curTime: String(now - 9) })).code).toBe(200);
    expect((await api.call("user/getUinfos", { accids: '["replayer"]' }, { nonce, curTime: String(now - 9) })).code).toBe(431);
  });
});
