-- Choosing a couple's next prompt reads their history of one kind in order. With the
-- prompt id in the index, that read never visits the table: a year of history is one
-- short range of index pages instead of hundreds of scattered table rows.
DROP INDEX prompt_history_couple;
CREATE INDEX prompt_history_couple ON prompt_history(couple_id, kind, id, prompt_id);
