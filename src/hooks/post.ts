import { signBody } from "./sign.ts";

/** How one signed POST to the app server ended. */
export type PostOutcome =
  | { ok: true; status: number; text: string }
  /** No answer in time, or no connection: the request may or may not have been seen. */
  | { ok: false; why: "timeout" | "unreachable"; detail: string };

/** Answers larger than this are cut off (and so fail to parse): an app server cannot make a node buffer without bound. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * One signed JSON POST, as NIM sends callbacks and data sync: the body is serialised once and the
 * signature is over exactly those bytes. Never throws; `timeoutMs` covers the whole exchange,
 * the answer's body included.
 */
export async function postSigned(
  url: string,
  appKey: string,
  appSecret: string,
  body: unknown,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<PostOutcome> {
  const raw = JSON.stringify(body);
  const headers = { ...signBody(appKey, appSecret, raw), "content-type": "application/json; charset=utf-8" };
  const timeout = AbortSignal.timeout(timeoutMs);
  // `cancel`: the node is stopping; an answer it would not act on is not waited for.
  const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
  try {
    const res = await fetch(url, { method: "POST", body: raw, headers, signal, redirect: "manual" });
    const text = await readCapped(res);
    return { ok: true, status: res.status, text };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, why: timeout.aborted ? "timeout" : "unreachable", detail };
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      return text;
    }
    text += decoder.decode(value, { stream: true });
  }
}
