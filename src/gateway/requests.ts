import { ServerError, type MessageContext } from "@colyseus/core";
import { Codes } from "../protocol/codes.ts";
import type { Logger } from "pino";
import type { SessionInfo } from "../protocol/link.ts";
import { NimbusError } from "../protocol/errors.ts";
import type { ImClient, ImRoom } from "./im-room.ts";

/** What a request handler knows about the device that asked. */
export interface DeviceContext {
  readonly session: SessionInfo;
  /** Sends a push frame to this device only. */
  send(type: string, body: object): void;
}

/**
 * Handles one request type. The return value is the answer; throw a NimbusError to answer with
 * a NIM code. Validate `body` yourself: it is whatever the device sent.
 */
export type RequestHandler = (device: DeviceContext, body: unknown) => unknown;

/**
 * The request types devices may send, bound into the node's room. Every handler goes through
 * `dispatch`, which applies the connection's rate limit and turns errors into NIM codes:
 *
 * - as a request (Colyseus `room.request`), an error becomes an ERROR reply `{name, message, code}`;
 * - as a plain message (`room.send`), there is no reply channel, so an error becomes a Colyseus
 *   ERROR frame `(code, message)`, and nothing is ever thrown back into Colyseus's socket handler.
 */
export class RequestRegistry {
  private readonly handlers = new Map<string, RequestHandler>();
  private room: ImRoom | undefined;

  constructor(private readonly log: Logger) {}

  register(type: string, handler: RequestHandler): void {
    if (this.handlers.has(type)) throw new Error(`request type ${type} is registered twice`);
    this.handlers.set(type, handler);
    if (this.room) this.bindOne(this.room, type, handler);
  }

  /** Binds every handler (and the ones registered later) into the room. */
  bind(room: ImRoom): void {
    this.room = room;
    for (const [type, handler] of this.handlers) this.bindOne(room, type, handler);
    // Production Colyseus closes the socket (4002) on a message type nobody handles: answer it instead.
    room.onMessage("*", (client: ImClient, type: string | number) => {
      const session = client.userData;
      if (session && !session.admitted) client.error(Codes.RATE_LIMITED.code, "rate limited: slow down");
      else client.error(Codes.INVALID_PROTOCOL.code, `unknown message type ${JSON.stringify(type)}`);
    });
  }

  private bindOne(room: ImRoom, type: string, handler: RequestHandler): void {
    room.onMessage(type, (client: ImClient, body: unknown, ctx: MessageContext) => {
      const answer = this.run(handler, client, body);
      if (ctx.id !== undefined) return answer;
      // A plain message: nobody awaits the answer, so report a failure on the error channel.
      answer.catch((err: Refusal) => client.error(err.code, err.message));
      return undefined;
    });
  }

  /** Always settles with a Refusal (a NimbusError's code and desc) on failure; never throws synchronously. */
  private async run(handler: RequestHandler, client: ImClient, body: unknown): Promise<unknown> {
    const session = client.userData;
    if (!session || session.state !== "online") throw new NimbusError("FORBIDDEN", "this session has ended");
    // Read before any await: the meter set it for the frame being dispatched right now.
    if (!session.admitted) throw new NimbusError("RATE_LIMITED", "rate limited: slow down");
    const device = new ClientDevice(session.info, client);
    try {
      return await handler(device, body);
    } catch (err) {
      if (err instanceof NimbusError) {
        // A refusal is the device's mistake (or a retry-later), not the server's: one line, no stack.
        const fields = { accid: session.info.accid, deviceId: session.info.deviceId, code: err.code, desc: err.message };
        if (err.code < Codes.INTERNAL.code) this.log.debug(fields, "request refused");
        else this.log.warn(fields, "request not served");
        throw new Refusal(err);
      }
      this.log.error({ err, accid: session.info.accid }, "request handler failed");
      throw new Refusal(new NimbusError("INTERNAL"));
    }
  }
}

/**
 * A NimbusError as the request's answer. Colyseus logs every error a request handler rejects with
 * at error level with its stack, except a ServerError: so the answer travels as one, with the same
 * `{name, message, code}` a NimbusError gives the device, and this registry logs it at its level.
 */
class Refusal extends ServerError {
  override name = "NimbusError";
  constructor(err: NimbusError) {
    super(err.code, err.message);
  }
}

/** The asking device, made per request: a class, so no per-request closure (see runtime/envelopes.ts). */
class ClientDevice implements DeviceContext {
  constructor(
    readonly session: SessionInfo,
    private readonly client: ImClient,
  ) {}

  send(type: string, body: object): void {
    this.client.send(type, body);
  }
}
