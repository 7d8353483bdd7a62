import { describe, it, expect } from "vitest";
import { Outbox } from "../../src/client/outbox.ts";
import { NimbusClientError } from "../../src/client/errors.ts";
import type { SendRequest } from "../../src/protocol/messaging.ts";
import type { SendAck } from "../../src/protocol/messages.ts";

/** A link whose requests the test answers by hand. */
function fakeLink() {
  const calls: { body: SendRequest; resolve(a: SendAck): void; reject(e: unknown): void }[] = [];
  const link = {
    up: true,
    connected: () => link.up,
    request<T>(_type: string, body: unknown): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        calls.push({ body: body as SendRequest, resolve: resolve as (a: SendAck) => void, reject });
      });
    },
  };
  return { link, calls };
}

const req = (id: string): SendRequest => ({ to: "bob", type: 0, body: { msg: id }, clientMsgId: id });
const ack = (id: string, seq: number, duplicate = false): SendAck => ({
  conv: "alice|bob",
  msgid: seq,
  seq,
  time: 0,
  clientMsgId: id,
  duplicate,
});
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("client outbox", () => {
  it("resends an unanswered send with the same clientMsgId once the link is back, in order", async () => {
    const { link, calls } = fakeLink();
    const outbox = new Outbox(link);
    const a = outbox.submit(req("a"));
    const b = outbox.submit(req("b"));
    expect(calls.map((c) => c.body.clientMsgId)).toEqual(["a", "b"]);
    link.up = false;
    calls[0]!.reject(new NimbusClientError(415, "connection closed"));
    calls[1]!.reject(new NimbusClientError(415, "connection closed"));
    const c = outbox.submit(req("c")); // made while offline: waits
    await tick();
    expect(calls).toHaveLength(2);
    link.up = true;
    outbox.flush();
    expect(calls.slice(2).map((x) => x.body)).toEqual([req("a"), req("b"), req("c")]);
    calls[2]!.resolve(ack("a", 1, true));
    calls[3]!.resolve(ack("b", 2));
    calls[4]!.resolve(ack("c", 3));
    expect(await Promise.all([a, b, c])).toEqual([ack("a", 1, true), ack("b", 2), ack("c", 3)]);
    expect(outbox.size).toBe(0);
  });

  it("settles on any answer from the server, and fails what is left when the client closes", async () => {
    const { link, calls } = fakeLink();
    const outbox = new Outbox(link);
    const refused = outbox.submit(req("x"));
    calls[0]!.reject(new NimbusClientError(414, "body.msg: required"));
    await expect(refused).rejects.toMatchObject({ code: 414 });
    link.up = false;
    const waiting = outbox.submit(req("y"));
    outbox.fail(new NimbusClientError(415, "the client is closed"));
    await expect(waiting).rejects.toMatchObject({ code: 415 });
    expect(outbox.size).toBe(0);
  });

  it("tries a timed-out send again on a live link, then gives up with 408", async () => {
    const { link, calls } = fakeLink();
    const outbox = new Outbox(link);
    const p = outbox.submit(req("t"));
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      calls[i]!.reject(new NimbusClientError(408, "timed out"));
    }
    await expect(p).rejects.toMatchObject({ code: 408 });
    expect(calls.map((c) => c.body.clientMsgId)).toEqual(["t", "t", "t"]);
  });

  it("refuses a second send with a clientMsgId still on its way", async () => {
    const { link } = fakeLink();
    const outbox = new Outbox(link);
    void outbox.submit(req("same"));
    await expect(outbox.submit(req("same"))).rejects.toMatchObject({ code: 414 });
  });
});
