import { describe, it, expect } from "vitest";
import * as book from "../../actors/friends/friend-book.ts";
import type { FriendsState } from "../../src/contracts/friends.ts";
import { decode, encode } from "../../src/protocol/codec.ts";

/** Applies a transition's next state, if any. */
function after(state: FriendsState, t: book.Transition<unknown>): FriendsState {
  return t.next ?? state;
}

describe("friend book transitions", () => {
  it("undoLink puts back exactly what link took: requests and the kept alias", () => {
    let s = book.emptyFriends();
    s = after(s, book.receiveRequest(s, { t: "receiveRequest", from: "b", msg: "hi" }, 1000));
    s = after(s, book.sendRequest(s, { t: "sendRequest", to: "b", msg: "yo" }, 1001));
    s = after(s, book.link(s, { t: "link", faccid: "b", limit: 10 }, 1002));
    s = after(s, book.update(s, { t: "update", faccid: "b", alias: "bee" }, 1003));
    s = after(s, book.unlink(s, { t: "unlink", faccid: "b", deleteAlias: false }, 1004));
    const before = s;

    const linked = book.link(s, { t: "link", faccid: "b", limit: 10 }, 1005);
    expect(linked.reply).toEqual({ outcome: "created", dropped: {} });
    expect(linked.next!.friends[0]).toMatchObject({ faccid: "b", alias: "bee" });
    expect(linked.next!.keptAliases).toEqual([]);
    const undone = book.undoLink(linked.next!, { t: "undoLink", faccid: "b", restore: {} }, 1006);
    expect({ ...undone.next!, clock: 0 }).toEqual({ ...before, clock: 0 });
  });

  it("undoLink restores the requests the link dropped", () => {
    let s = book.emptyFriends();
    s = after(s, book.receiveRequest(s, { t: "receiveRequest", from: "b", msg: "hi" }, 1000));
    const before = s;
    const accepted = book.accept(s, { t: "accept", from: "b", limit: 10 }, 1001);
    expect(accepted.reply).toEqual({ outcome: "created", dropped: { incoming: { peer: "b", msg: "hi", time: 1000 } } });
    expect(accepted.next!.incoming).toEqual([]);
    const dropped = accepted.reply.outcome === "created" ? accepted.reply.dropped : {};
    const undone = book.undoLink(accepted.next!, { t: "undoLink", faccid: "b", restore: dropped }, 1002);
    expect({ ...undone.next!, clock: 0 }).toEqual({ ...before, clock: 0 });
  });

  it("refusals change nothing", () => {
    const s = after(book.emptyFriends(), book.link(book.emptyFriends(), { t: "link", faccid: "b", limit: 1 }, 1));
    expect(book.link(s, { t: "link", faccid: "c", limit: 1 }, 2)).toEqual({ reply: { outcome: "full" } });
    expect(book.link(s, { t: "link", faccid: "b", limit: 1 }, 2)).toEqual({ reply: { outcome: "existing" } });
    expect(book.accept(s, { t: "accept", from: "c", limit: 5 }, 2)).toEqual({ reply: { outcome: "noRequest" } });
    expect(book.sendRequest(s, { t: "sendRequest", to: "b", msg: "" }, 2)).toEqual({ reply: { outcome: "alreadyFriends" } });
    expect(book.unlink(s, { t: "unlink", faccid: "c", deleteAlias: true }, 2)).toEqual({ reply: { removed: false } });
    expect(book.update(s, { t: "update", faccid: "c", alias: "x" }, 2)).toEqual({ reply: { updated: false } });
    expect(book.update(s, { t: "update", faccid: "b" }, 2)).toEqual({ reply: { updated: true } });
  });

  it("hands out strictly growing stamps even when the clock stands still or steps back", () => {
    let s = book.emptyFriends();
    const stamps: number[] = [];
    for (const [i, now] of [500, 500, 400, 501].entries()) {
      s = after(s, book.link(s, { t: "link", faccid: `f${i}`, limit: 10 }, now));
      stamps.push(s.friends[i]!.createtime);
    }
    expect(stamps).toEqual([500, 501, 502, 503]);
  });

  it("keeps an account named __proto__, which msgpack refuses as a map key, in a storable state", () => {
    let s = book.emptyFriends();
    s = after(s, book.link(s, { t: "link", faccid: "__proto__", limit: 10 }, 1));
    s = after(s, book.receiveRequest(s, { t: "receiveRequest", from: "constructor", msg: "" }, 2));
    const back = decode<FriendsState>(encode(s));
    expect(back).toEqual(s);
    expect(book.get(back, { t: "get", faccid: "__proto__" })).toMatchObject({ faccid: "__proto__" });
  });
});
