import { p2pConversation } from "../../src/conversation/ref.ts";
import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers, restSendText } from "../support/messaging.ts";

describeOnEachStore("server API: who may send", (backend) => {
  let api: ApiNode;
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "r1", "r2", "blocked1", "muted1", "mutedp2p1", "black1", "black2");
  });
  afterAll(async () => api.close());

  /** Nothing stored: no history on either side, no conversation in either list. */
  async function expectNothingBetween(a: string, b: string): Promise<void> {
    const history = await api.node.messaging.history(api.appKey, { accid: a, conv: p2pConversation(a, b), limit: 100, order: "asc" });
    expect(history).toEqual([]);
    expect((await api.node.messaging.conversations(api.appKey, a)).filter((c) => c.peer === b)).toEqual([]);
    expect((await api.node.messaging.conversations(api.appKey, b)).filter((c) => c.peer === a)).toEqual([]);
  }

  it("answers 404 naming the account that does not exist", async () => {
    expect(await restSendText(api, "ghost", "r1", "x")).toEqual({ code: 404, desc: "from: account ghost does not exist" });
    expect(await restSendText(api, "r1", "ghost", "x")).toEqual({ code: 404, desc: "to: account ghost does not exist" });
    await expectNothingBetween("r1", "ghost");
  });

  it("answers 414 for a message to oneself", async () => {
    expect(await restSendText(api, "r1", "R1", "x")).toEqual({ code: 414, desc: "to: must not be the sender" });
  });

  it("answers 422 for a blocked sender, and sends again once unblocked", async () => {
    expect((await api.call("user/block", { accid: "blocked1" })).code).toBe(200);
    expect(await restSendText(api, "blocked1", "r1", "x")).toEqual({ code: 422, desc: "from: account blocked1 is blocked" });
    await expectNothingBetween("blocked1", "r1");
    expect((await api.call("user/unblock", { accid: "blocked1" })).code).toBe(200);
    expect((await restSendText(api, "blocked1", "r1", "x")).code).toBe(200);
  });

  it("answers 423 for a sender muted globally or for p2p", async () => {
    expect((await api.call("user/mute", { accid: "muted1", mute: "true" })).code).toBe(200);
    expect(await restSendText(api, "muted1", "r1", "x")).toEqual({ code: 423, desc: "from: account muted1 is muted" });
    expect((await api.call("user/muteModule", { accid: "mutedp2p1", muteP2P: "true" })).code).toBe(200);
    expect(await restSendText(api, "mutedp2p1", "r1", "x")).toEqual({ code: 423, desc: "from: account mutedp2p1 is muted" });
    await expectNothingBetween("muted1", "r1");
    await expectNothingBetween("mutedp2p1", "r1");
    // The service refuses the same way (the realtime gateway sends through it).
    await expect(
      api.node.messaging.send(api.appKey, p2pConversation("muted1", "r2"), { from: "muted1", type: 0, body: { msg: "x" } }),
    ).rejects.toMatchObject({
      code: 423,
    });
  });

  it("answers 403 'blacklisted by <to>' when the recipient blacklisted the sender; the other way still works", async () => {
    expect((await api.call("user/setSpecialRelation", { accid: "black2", targetAcc: "black1", relationType: "1", value: "1" })).code).toBe(
      200,
    );
    expect(await restSendText(api, "black1", "black2", "x")).toEqual({ code: 403, desc: "blacklisted by black2" });
    await expectNothingBetween("black1", "black2");
    expect((await restSendText(api, "black2", "black1", "y")).code).toBe(200);
    // A mute list entry (relationType 2) does not stop messages.
    expect((await api.call("user/setSpecialRelation", { accid: "r2", targetAcc: "r1", relationType: "2", value: "1" })).code).toBe(200);
    expect((await restSendText(api, "r1", "r2", "z")).code).toBe(200);
  });
});
