import type { Logger } from "pino";
import type { AppRegistry } from "../apps/registry.ts";
import { parseCallbackAnswer, type CallbackAnswer } from "./callback-answer.ts";
import { callbackFailedBody, SyncEvent, type CallbackBody } from "./events.ts";
import { postSigned } from "./post.ts";
import type { SyncQueue } from "./queue.ts";
import type { HookStats } from "./stats.ts";

/** What the action does after its callback. */
export type CallbackVerdict =
  | { allow: true; modify?: Record<string, unknown>; callbackExt?: string }
  | { allow: false; code: number; desc: string; callbackExt?: string };

/**
 * NIM's synchronous callbacks (nim-server-api.md §4): one signed POST within the app's
 * `timeoutMs`, before a client's action. A timeout, no connection, a non-200 or a malformed
 * answer is a failure: the app's `onFailure` decides, and the failure is told through data sync
 * eventType 83 (reason 1 timeout, 2 bad answer).
 */
export class CallbackClient {
  constructor(
    private readonly apps: AppRegistry,
    private readonly queue: SyncQueue,
    private readonly stats: HookStats,
    private readonly log: Logger,
  ) {}

  /** Whether the app has a callback URL and wants this callback eventType. */
  applies(appKey: string, eventType: number): boolean {
    const cb = this.apps.get(appKey)?.hooks.callback;
    return cb?.url !== undefined && (cb.events === undefined || cb.events.includes(eventType));
  }

  /** Calls the app server; `partitionKey` orders the 83 this may cause with the rest of its conversation. */
  async call(appKey: string, body: CallbackBody, partitionKey: string): Promise<CallbackVerdict> {
    const app = this.apps.get(appKey);
    const cb = app?.hooks.callback;
    if (!app || !cb?.url) return { allow: true };
    const stats = this.stats.of(appKey);
    stats.callbacks++;
    const outcome = await postSigned(cb.url, app.appKey, app.appSecret, body, cb.timeoutMs);
    let answer: CallbackAnswer | { problem: string };
    let reason: 1 | 2;
    if (!outcome.ok) {
      answer = { problem: outcome.why === "timeout" ? `no answer within ${cb.timeoutMs} ms` : `unreachable: ${outcome.detail}` };
      reason = 1;
    } else if (outcome.status !== 200) {
      answer = { problem: `HTTP ${outcome.status}` };
      reason = 2;
    } else {
      answer = parseCallbackAnswer(outcome.text);
      reason = 2;
    }
    if (!("problem" in answer)) {
      if (answer.allow)
        return {
          allow: true,
          ...(answer.modify && { modify: answer.modify }),
          ...(answer.callbackExt !== undefined && { callbackExt: answer.callbackExt }),
        };
      return {
        allow: false,
        code: answer.responseCode ?? 403,
        desc: "refused by the app server's callback",
        ...(answer.callbackExt !== undefined && { callbackExt: answer.callbackExt }),
      };
    }
    return this.failed(appKey, body, partitionKey, reason, answer.problem);
  }

  /**
   * A callback that failed — no answer (reason 1) or one Nimbus cannot use (2): reported as data
   * sync 83, and the app's `onFailure` decides.
   */
  failed(appKey: string, body: CallbackBody, partitionKey: string, reason: 1 | 2, problem: string): CallbackVerdict {
    const stats = this.stats.of(appKey);
    stats.callbackFailures++;
    this.log.warn({ appKey, eventType: body.eventType, problem }, "callback failed");
    if (this.queue.wants(appKey, SyncEvent.CALLBACK_FAILED)) {
      // Told after the fact; a failure to queue it must not fail the action as well.
      this.queue
        .enqueue(appKey, partitionKey, { k: "raw", body: callbackFailedBody(reason, body, Date.now()), p: partitionKey })
        .catch((err: unknown) => this.log.error({ err, appKey }, "could not queue data sync 83"));
    }
    if (this.apps.get(appKey)?.hooks.callback.onFailure !== "deny") return { allow: true };
    return { allow: false, code: 403, desc: `the app server's callback failed (${problem}) and its policy is deny` };
  }
}
