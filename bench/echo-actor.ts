import { Actor } from "../src/runtime/mod.ts";

/** Answers with what it got: measures the runtime, not a handler. */
export class EchoActor extends Actor<null> {
  initialState(): null {
    return null;
  }
  receive(message: unknown): unknown {
    return message;
  }
}
