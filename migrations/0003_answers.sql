-- Answers to conversation prompts: each member answers privately, and the answers are
-- shown together (the reveal) once everyone has answered, or at the couple's deadline.
CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    text        TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    edited_at   INTEGER,
    UNIQUE (delivery_id, user_id)
);
CREATE INDEX answers_user ON answers(user_id);

-- answers_open_since: set by the first answer, cleared once the reveal is posted, so
-- "what may need revealing" is one small partial index.
-- revealed_at: the reveal is decided (set once, in the transaction that sees the last
-- answer, or at the deadline); answers can no longer change.
-- reveal_lease_until / reveal_message_id: posting the reveal, like a delivery.
ALTER TABLE deliveries ADD COLUMN answers_open_since INTEGER;
ALTER TABLE deliveries ADD COLUMN revealed_at INTEGER;
ALTER TABLE deliveries ADD COLUMN reveal_lease_until INTEGER;
ALTER TABLE deliveries ADD COLUMN reveal_message_id TEXT;
CREATE INDEX deliveries_answers_open ON deliveries(answers_open_since)
    WHERE answers_open_since IS NOT NULL;

-- Per couple: NULL waits for every member (never reveals one answer alone); a number
-- of seconds reveals what is there that long after the prompt was posted.
ALTER TABLE couples ADD COLUMN reveal_after_secs INTEGER;
