/**
 * What `receive` returns to take its next message before this one is answered: the answer (or
 * error) is the promise's. Order still holds — an actor starts the slow part of a message (a store
 * write) in its turn, and later messages see the state that turn left — but the turn no longer
 * waits for the round trip, so one actor's throughput is not one message per store round trip.
 *
 * If the promise fails with a fencing error (this activation's view is stale), the activation is
 * dropped once every answer it still owes has settled, and this message — with every later one
 * that also failed so, and the rest of the mailbox, in order — is handled again on a fresh one.
 */
export class AnswerLater<T = unknown> {
  constructor(readonly promise: Promise<T>) {}
}
