-- Prompts suggested by members of a community, waiting for its moderators.
CREATE TABLE suggestions (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    -- Where it was suggested: the author is told the outcome there.
    channel     TEXT NOT NULL,
    author      TEXT NOT NULL,
    author_name TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    -- pending | approved | rejected
    state       TEXT NOT NULL DEFAULT 'pending',
    reason      TEXT,
    custom_prompt_id INTEGER,
    decided_by  TEXT,
    decided_at  INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX suggestions_scope ON suggestions(platform, scope, state, id);
CREATE INDEX suggestions_author ON suggestions(author);

-- Notices waiting to be posted by the engine (a suggestion's outcome, told to its
-- author). A row is deleted once posted. `about` is the person it concerns.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    text        TEXT NOT NULL,
    about       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
