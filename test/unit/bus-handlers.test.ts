import { describe, expect, it } from "vitest";
import { answerSafely, deliverSafely, type BusLogger } from "../../src/bus/handlers.ts";

function recorder(): { logger: BusLogger; errors: string[] } {
  const errors: string[] = [];
  return { errors, logger: { error: (_obj, msg) => void errors.push(msg) } };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("deliverSafely", () => {
  it("logs a throwing or rejecting handler instead of throwing", async () => {
    const { logger, errors } = recorder();
    expect(() =>
      deliverSafely(
        () => {
          throw new Error("x");
        },
        new Uint8Array(0),
        "s",
        logger,
      ),
    ).not.toThrow();
    deliverSafely(
      async () => {
        throw new Error("y");
      },
      new Uint8Array(0),
      "s",
      logger,
    );
    await tick();
    expect(errors).toEqual(["subscription handler failed", "subscription handler failed"]);
  });
});

describe("answerSafely", () => {
  it("answers synchronously when the handler does", () => {
    const { logger } = recorder();
    let got: Uint8Array | undefined;
    answerSafely(
      (d) => d,
      Uint8Array.of(1),
      "s",
      (r) => (got = r),
      logger,
    );
    expect(got).toEqual(Uint8Array.of(1));
  });

  it("answers nothing, and logs, when the handler throws, rejects or returns no bytes", async () => {
    const { logger, errors } = recorder();
    const replies: Uint8Array[] = [];
    const respond = (r: Uint8Array): void => void replies.push(r);
    answerSafely(
      () => {
        throw new Error("x");
      },
      new Uint8Array(0),
      "s",
      respond,
      logger,
    );
    answerSafely(
      async () => {
        throw new Error("y");
      },
      new Uint8Array(0),
      "s",
      respond,
      logger,
    );
    answerSafely((() => "text") as never, new Uint8Array(0), "s", respond, logger);
    await tick();
    expect(replies).toEqual([]);
    expect(errors.length).toBe(3);
  });

  it("logs a reply that cannot be sent", () => {
    const { logger, errors } = recorder();
    answerSafely(
      (d) => d,
      new Uint8Array(0),
      "s",
      () => {
        throw new Error("closed");
      },
      logger,
    );
    expect(errors).toEqual(["could not send a reply"]);
  });
});
