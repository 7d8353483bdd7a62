import { EventEmitter } from "node:events";
import { Agent, request, type Dispatcher } from "undici";
import { signBody } from "./sign.ts";

/** How one signed POST to the app server ended. */
export type PostOutcome =
  | { ok: true; status: number; text: string }
  /** No answer in time, or no connection: the request may or may not have been seen. */
  | { ok: false; why: "timeout" | "unreachable"; detail: string };

/** Answers larger than this are cut off (and so fail to parse): an app server cannot make a node buffer without bound. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Every hook request of this process goes through one keep-alive pool per app server origin.
 * undici's `request` rather than `fetch`: data sync posts one request per event, and `fetch`'s
 * WHATWG layers (Request/Response objects, web streams, an AbortSignal per call) cost several
 * times the CPU of the exchange itself at thousands of events a second (BENCHMARKS.md, p2p-datasync).
 */
const dispatcher = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });

/**
 * One signed JSON POST, as NIM sends callbacks and data sync: the body is serialised once and the
 * signature is over exactly those bytes. Never throws; `timeoutMs` covers the whole exchange,
 * the answer's body included. Redirects are not followed.
 */
export async function postSigned(
  url: string,
  appKey: string,
  appSecret: string,
  body: unknown,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<PostOutcome> {
  // `cancel`: the node is stopping; an answer it would not act on is not waited for.
  if (cancel?.aborted) return { ok: false, why: "unreachable", detail: "cancelled" };
  const raw = JSON.stringify(body);
  const headers = { ...signBody(appKey, appSecret, raw), "content-type": "application/json; charset=utf-8" };
  // An emitter as the request's signal (undici takes either): an AbortController per request is
  // what costs in Node 20, and nothing else needs one.
  const abort = new EventEmitter();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.emit("abort");
  }, timeoutMs);
  const onCancel = () => abort.emit("abort");
  cancel?.addEventListener("abort", onCancel, { once: true });
  try {
    const res = await request(url, { method: "POST", body: raw, headers, signal: abort, dispatcher });
    const text = await readCapped(res.body);
    return { ok: true, status: res.statusCode, text };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, why: timedOut ? "timeout" : "unreachable", detail };
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener("abort", onCancel);
  }
}

async function readCapped(body: Dispatcher.ResponseData["body"]): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      return text;
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
