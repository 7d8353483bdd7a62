/**
 * The app server's answer to a callback (nim-server-api.md §4.2): `errCode` 0 allows, 1 refuses;
 * `responseCode` is the code a refused client gets (403 otherwise); `modifyResponse` (an object,
 * or a JSON string of one) replaces fields of the message; `callbackExt` goes back to the sender.
 */
export interface CallbackAnswer {
  allow: boolean;
  responseCode?: number;
  modify?: Record<string, unknown>;
  callbackExt?: string;
}

/** Codes a refusal may carry: what a NIM status looks like, never a value that would read as success. */
const isResponseCode = (n: number): boolean => Number.isSafeInteger(n) && n >= 300 && n <= 99_999;

function asInt(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === "string" && /^-?\d{1,9}$/.test(v)) return Number(v);
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The answer, or a problem saying why it is malformed (then the failure policy decides). */
export function parseCallbackAnswer(text: string): CallbackAnswer | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: "not JSON" };
  }
  if (!isPlainObject(json)) return { problem: "not a JSON object" };
  const errCode = asInt(json.errCode);
  if (errCode !== 0 && errCode !== 1) return { problem: "errCode: must be 0 or 1" };
  const answer: CallbackAnswer = { allow: errCode === 0 };
  if (json.responseCode !== undefined && json.responseCode !== null && json.responseCode !== "") {
    const code = asInt(json.responseCode);
    if (code === undefined) return { problem: "responseCode: must be an integer code" };
    // A code that would read as success (handlers in the wild refuse with responseCode 200) is not passed on: 403 is.
    if (isResponseCode(code)) answer.responseCode = code;
  }
  let modify: unknown = json.modifyResponse;
  if (typeof modify === "string" && modify !== "") {
    try {
      modify = JSON.parse(modify);
    } catch {
      return { problem: "modifyResponse: not JSON" };
    }
  }
  if (isPlainObject(modify) && Object.keys(modify).length > 0) answer.modify = modify;
  else if (modify !== undefined && modify !== null && modify !== "" && !isPlainObject(modify))
    return { problem: "modifyResponse: not an object" };
  if (json.callbackExt !== undefined && json.callbackExt !== null) {
    if (typeof json.callbackExt !== "string") return { problem: "callbackExt: must be a string" };
    answer.callbackExt = json.callbackExt;
  }
  return answer;
}
