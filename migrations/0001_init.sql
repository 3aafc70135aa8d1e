-- hearth's schema. All instants are UTC unix seconds (INTEGER): cheap to compare and
-- index; they are rendered in a couple's timezone only for people.

-- Server defaults, one row per community ("scope": a Discord guild, a Matrix community).
CREATE TABLE settings (
    platform    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    timezone    TEXT,
    depth       TEXT,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (platform, scope)
);

-- A couple lives in one channel or room.
CREATE TABLE couples (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    depth       TEXT NOT NULL DEFAULT 'light',
    paused      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (platform, channel)
);

CREATE TABLE couple_members (
    couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (couple_id, user_id)
);
CREATE INDEX couple_members_user ON couple_members(user_id);

-- next_slot_at is NULL while a schedule cannot fire (paused, disabled, couple paused):
-- "what is due" is then one range scan of one partial index.
CREATE TABLE schedules (
    id              INTEGER PRIMARY KEY,
    couple_id       INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    spec            TEXT NOT NULL,
    timezone        TEXT NOT NULL,
    grace_secs      INTEGER NOT NULL DEFAULT 7200,
    next_slot_at    INTEGER,
    enabled         INTEGER NOT NULL DEFAULT 1,
    paused          INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    thread          INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX schedules_due ON schedules(next_slot_at) WHERE next_slot_at IS NOT NULL;
CREATE INDEX schedules_couple ON schedules(couple_id);

-- One row per (schedule, slot): the UNIQUE key is what makes a slot post once.
-- On-demand prompts (`prompt`, `skip`) have no schedule.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    schedule_id     INTEGER REFERENCES schedules(id) ON DELETE SET NULL,
    couple_id       INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    slot_at         INTEGER NOT NULL,
    -- pending | sending | posted | skipped | failed
    state           TEXT NOT NULL,
    prompt_id       TEXT,
    prompt_text     TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_until     INTEGER,
    last_error      TEXT,
    message_id      TEXT,
    requested_by    TEXT,
    created_at      INTEGER NOT NULL,
    posted_at       INTEGER,
    UNIQUE (schedule_id, slot_at)
);
CREATE INDEX deliveries_open ON deliveries(next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX deliveries_couple ON deliveries(couple_id, posted_at);
CREATE INDEX deliveries_message ON deliveries(message_id) WHERE message_id IS NOT NULL;

-- Every reaction added or removed on a posted prompt, by a couple member.
CREATE TABLE reactions (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    emoji       TEXT NOT NULL,
    added_at    INTEGER NOT NULL,
    removed_at  INTEGER
);
CREATE UNIQUE INDEX reactions_active ON reactions(delivery_id, user_id, emoji) WHERE removed_at IS NULL;
CREATE INDEX reactions_user ON reactions(user_id);

-- Which prompts a couple has been given, per kind, oldest first: drives "no repeat in a cycle".
CREATE TABLE prompt_history (
    id          INTEGER PRIMARY KEY,
    couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    prompt_id   TEXT NOT NULL,
    delivery_id INTEGER REFERENCES deliveries(id) ON DELETE SET NULL,
    given_at    INTEGER NOT NULL
);
CREATE INDEX prompt_history_couple ON prompt_history(couple_id, kind, id);

-- A moderator's own prompts, for their community only.
CREATE TABLE custom_prompts (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    practice    TEXT NOT NULL,
    intimacy    TEXT NOT NULL,
    depth       TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX custom_prompts_scope ON custom_prompts(platform, scope);

-- Every configuration change: who, what, when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    platform    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    couple_id   INTEGER,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_scope ON audit_log(platform, scope, id);

-- Confirmations waiting for a second word (forget-me).
CREATE TABLE confirmations (
    platform    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (platform, user_id, action)
);
