import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import * as book from "./friend-book.ts";
import type { FriendsMessage, FriendsState } from "../../src/contracts/friends.ts";

const SIDES = new Set(["incoming", "outgoing"]);

function isText(v: unknown): v is string {
  return typeof v === "string";
}

function isOptionalText(v: unknown): v is string | undefined {
  return v === undefined || typeof v === "string";
}

/**
 * Messages cross nodes as msgpack from whatever sent them: check the shape before any transition
 * reads it, so a malformed message is a 414 and never a half-applied change.
 */
function checked(message: unknown): FriendsMessage {
  const m = (typeof message === "object" && message !== null ? message : {}) as Record<string, unknown>;
  const ok = (() => {
    switch (m.t) {
      case "link":
        return isText(m.faccid) && typeof m.limit === "number" && isOptionalText(m.serverex);
      case "accept":
        return isText(m.from) && typeof m.limit === "number" && isOptionalText(m.serverex);
      case "undoLink":
        return isText(m.faccid) && typeof m.restore === "object" && m.restore !== null;
      case "unlink":
        return isText(m.faccid) && typeof m.deleteAlias === "boolean";
      case "sendRequest":
        return isText(m.to) && isText(m.msg);
      case "receiveRequest":
        return isText(m.from) && isText(m.msg);
      case "dropRequest":
        return isText(m.peer) && SIDES.has(m.side as string);
      case "update":
        return isText(m.faccid) && isOptionalText(m.alias) && isOptionalText(m.ex) && isOptionalText(m.serverex);
      case "get":
        return isText(m.faccid);
      case "list":
        return typeof m.since === "number";
      default:
        return false;
    }
  })();
  if (!ok) throw new NimbusError("PARAM_ERROR", `friends: malformed message ${JSON.stringify(m.t ?? null)}`);
  return m as unknown as FriendsMessage;
}

/**
 * One user's friends (`friends/<appKey>/<accid>`): its side of every friendship, its pending
 * friend requests both ways and the aliases it kept. The logic is in `friend-book.ts`; this
 * class only dispatches, and makes each change durable before it answers.
 */
export class FriendsActor extends Actor<FriendsState> {
  initialState(): FriendsState {
    return book.emptyFriends();
  }

  async receive(message: unknown): Promise<unknown> {
    const m = checked(message);
    const now = Date.now();
    switch (m.t) {
      case "link":
        return this.apply(book.link(this.state, m, now));
      case "accept":
        return this.apply(book.accept(this.state, m, now));
      case "undoLink":
        return this.apply(book.undoLink(this.state, m, now));
      case "unlink":
        return this.apply(book.unlink(this.state, m, now));
      case "sendRequest":
        return this.apply(book.sendRequest(this.state, m, now));
      case "receiveRequest":
        return this.apply(book.receiveRequest(this.state, m, now));
      case "dropRequest":
        return this.apply(book.dropRequest(this.state, m));
      case "update":
        return this.apply(book.update(this.state, m, now));
      case "get":
        return book.get(this.state, m);
      case "list":
        return book.list(this.state, m);
    }
  }

  /**
   * Saves the next state before answering. If the save fails the old state comes back: the caller
   * hears an error, so the change must not linger in memory and be saved later with another one.
   */
  private async apply<R>(t: book.Transition<R>): Promise<R> {
    if (t.next) {
      const previous = this.state;
      this.state = t.next;
      try {
        await this.ctx.persist();
      } catch (err) {
        this.state = previous;
        throw err;
      }
    }
    return t.reply;
  }
}
