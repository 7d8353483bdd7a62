import type { Logger } from "pino";
import type { ChatroomInOutFacts, ChatroomQueueFacts, ChatroomSync } from "../chatrooms/sync.ts";
import { chatroomInOutSyncBody, chatroomQueueSyncBody } from "./chatroom-events.ts";
import { SyncEvent } from "./events.ts";
import type { SyncQueue } from "./queue.ts";

/**
 * Chat room data sync (eventTypes 4, 9, 14), as the chat room service and the room edges use it.
 * A message is queued by its own journal append (the topic from `messageTopic`), so a stored
 * message is never missing from data sync and an unstored one is never told; entries, exits and
 * queue changes are told once they happened, in the room's bucket, so one room's events keep their order.
 */
export class ChatroomHooks implements ChatroomSync {
  constructor(
    private readonly queue: SyncQueue,
    private readonly log: Logger,
  ) {}

  wants(appKey: string, eventType: number): boolean {
    return this.queue.wants(appKey, eventType);
  }

  /** The outbox topic a room's message append queues itself in, when the app wants eventType 4. */
  messageTopic(appKey: string, journalKey: string): string | undefined {
    return this.queue.wants(appKey, SyncEvent.CHATROOM_MESSAGE) ? this.queue.topic(appKey, journalKey) : undefined;
  }

  /** A message append queued itself in `topic`: wake the deliverer. */
  queued(topic: string): void {
    this.queue.queued(topic);
  }

  /** Data sync 9. Best effort once the member is in or out: a failure to queue is logged, the entry stands. */
  inOut(appKey: string, f: ChatroomInOutFacts): void {
    if (!this.queue.wants(appKey, SyncEvent.CHATROOM_INOUT)) return;
    this.tell(appKey, f.roomid, chatroomInOutSyncBody(f, Date.now()));
  }

  /** Data sync 14, once the room's actor made the change. */
  queueChanged(appKey: string, f: ChatroomQueueFacts): void {
    if (!this.queue.wants(appKey, SyncEvent.CHATROOM_QUEUE)) return;
    this.tell(appKey, f.roomid, chatroomQueueSyncBody(f, Date.now()));
  }

  private tell(appKey: string, roomid: number, body: Record<string, string>): void {
    const key = `chatroom/${appKey}/${roomid}`;
    this.queue.enqueue(appKey, key, { k: "raw", body, p: key }).catch((err: unknown) => {
      this.log.warn({ err, appKey, roomid, eventType: body.eventType }, "chat room data sync could not be queued");
    });
  }
}
