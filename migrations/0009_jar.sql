-- The appreciation jar: what one member wrote to appreciate another
-- (`appreciate @partner …`). Revealed answers to appreciation prompts and prompts a
-- member loved (❤️) count in the jar too; they are read from their own tables.
CREATE TABLE appreciations (
    id          INTEGER PRIMARY KEY,
    couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    from_user   TEXT NOT NULL,
    to_user     TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX appreciations_couple ON appreciations(couple_id, created_at);
CREATE INDEX appreciations_from ON appreciations(from_user);
CREATE INDEX appreciations_to ON appreciations(to_user);

-- The weekly digest: its schedule per couple (NULL: the configured default; 'off':
-- none) and when it is next due (NULL: not planned yet; planned when hearth starts).
ALTER TABLE couples ADD COLUMN digest_spec TEXT;
ALTER TABLE couples ADD COLUMN digest_next_at INTEGER;
CREATE INDEX couples_digest_due ON couples(digest_next_at) WHERE digest_next_at IS NOT NULL;

-- One row per digest slot, so a slot is posted once across crashes: leased before
-- posting, sent with an idempotency key, retried on temporary failures.
-- resurfaced: the jar item shown from the past, so the next digests pick others.
CREATE TABLE digests (
    id          INTEGER PRIMARY KEY,
    couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    slot_at     INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    message_id  TEXT,
    resurfaced  TEXT,
    posted_at   INTEGER,
    UNIQUE (couple_id, slot_at)
);
CREATE INDEX digests_pending ON digests(next_attempt_at) WHERE state = 'pending';
-- Couples whose digest is on but not planned yet (new couples, a changed timezone or
-- schedule): the engine plans them on its next tick.
CREATE INDEX couples_digest_unplanned ON couples(id)
    WHERE digest_next_at IS NULL AND (digest_spec IS NULL OR digest_spec <> 'off');
