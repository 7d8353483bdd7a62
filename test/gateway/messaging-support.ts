import { expect } from "vitest";
import type { Message, NimbusClient } from "nimbus/client";
import { until } from "./support.ts";

/** Every `message` a client emits, in emission order, per conversation. */
export class Received {
  readonly byConv = new Map<string, Message[]>();

  constructor(client: NimbusClient) {
    client.on("message", (m) => {
      let list = this.byConv.get(m.conv);
      if (!list) this.byConv.set(m.conv, (list = []));
      list.push(m);
    });
  }

  of(conv: string): Message[] {
    return this.byConv.get(conv) ?? [];
  }

  seqs(conv: string): number[] {
    return this.of(conv).map((m) => m.seq);
  }

  count(): number {
    let n = 0;
    for (const list of this.byConv.values()) n += list.length;
    return n;
  }

  /** Waits until `conv` has reached `seq` on this device. */
  async reach(conv: string, seq: number, ms = 10_000, who = "a device"): Promise<void> {
    await until(() => (this.of(conv).at(-1)?.seq ?? 0) >= seq, ms, `${who} to reach seq ${seq} of ${conv} (has ${this.of(conv).length})`);
  }
}

/** seq from..to inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** A conversation's whole history as the server has it for `client`'s account, oldest first. */
export async function serverHistory(client: NimbusClient, peer: string, lastSeq: number): Promise<Message[]> {
  const out: Message[] = [];
  for (let from = 1; from <= lastSeq; from += 100) {
    out.push(...(await client.history(peer, { fromSeq: from, toSeq: Math.min(lastSeq, from + 99), limit: 100, order: "asc" })));
  }
  return out;
}

/** What a device received for `conv` is exactly the server's history: same messages, same order, nothing twice. */
export function expectSameAsServer(received: Message[], history: Message[]): void {
  const key = (m: Message) => `${m.seq}:${m.msgid}:${m.clientMsgId}:${m.from}`;
  expect(received.map(key)).toEqual(history.map(key));
}
