-- When a couple was paused, so the weekly streak can skip those weeks. A row is open
-- (until_at NULL) while the pause lasts; resume_at is the date a `pause --until`
-- ends by itself. Rows belong to the couple and go with it.
CREATE TABLE pauses (
    id          INTEGER PRIMARY KEY,
    couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    from_at     INTEGER NOT NULL,
    until_at    INTEGER,
    resume_at   INTEGER
);
CREATE INDEX pauses_couple ON pauses(couple_id, from_at);
CREATE INDEX pauses_due ON pauses(resume_at) WHERE until_at IS NULL AND resume_at IS NOT NULL;

-- Couples already paused: their pause starts now, as far as anyone can tell.
INSERT INTO pauses (couple_id, from_at)
    SELECT id, CAST(strftime('%s', 'now') AS INTEGER) FROM couples WHERE paused = 1;
