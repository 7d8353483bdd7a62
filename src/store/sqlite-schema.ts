import type Database from "better-sqlite3";

/**
 * The SQLite schema. `CREATE ... IF NOT EXISTS` keeps opening an existing file idempotent; there is
 * no migration machinery yet, so a change here must stay additive.
 *
 * Journal and outbox payloads and snapshot states are msgpack BLOBs: opaque to the store, compact,
 * and the same encoding the bus uses.
 */
const ddl = `
CREATE TABLE IF NOT EXISTS snapshots (
  kind    TEXT    NOT NULL,
  key     TEXT    NOT NULL,
  version INTEGER NOT NULL,
  state   BLOB    NOT NULL,
  PRIMARY KEY (kind, key)
);

CREATE TABLE IF NOT EXISTS journal (
  conversation  TEXT    NOT NULL,
  seq           INTEGER NOT NULL,
  msgid         INTEGER NOT NULL,
  client_msg_id TEXT    NOT NULL,
  sender        TEXT    NOT NULL,
  time          INTEGER NOT NULL,
  type          INTEGER NOT NULL,
  flags         INTEGER NOT NULL,
  expire_at     INTEGER NOT NULL,
  payload       BLOB    NOT NULL,
  UNIQUE (conversation, seq),
  UNIQUE (conversation, client_msg_id)
);
CREATE INDEX IF NOT EXISTS journal_msgid ON journal (msgid);
-- Time ranges need no index of their own: a conversation's times never go back as its seqs grow,
-- so the journal finds a time bound by bisecting seqs (sqlite-journal.ts). An index on time was one
-- more B-tree page written by every append (a quarter of the append's cost); files from before drop it.
DROP INDEX IF EXISTS journal_time;
CREATE INDEX IF NOT EXISTS journal_expire ON journal (expire_at);

CREATE TABLE IF NOT EXISTS outbox (
  id           TEXT    PRIMARY KEY,
  topic        TEXT    NOT NULL,
  payload      BLOB    NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  -- 0 when not leased; a lease holds while lease_until > now.
  lease_until  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_ready ON outbox (topic, available_at);

-- Request nonces until they expire (see NonceStore); swept by the retention sweeper.
CREATE TABLE IF NOT EXISTS nonces (
  key       TEXT    PRIMARY KEY,
  expire_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_expire ON nonces (expire_at);

-- last: the highest value handed out so far (0 before the first reservation).
CREATE TABLE IF NOT EXISTS sequences (
  name TEXT    PRIMARY KEY,
  last INTEGER NOT NULL
);
`;

export function applySchema(db: Database.Database): void {
  db.exec(ddl);
}
