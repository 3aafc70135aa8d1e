-- The index on reactions(user_id) served one rare statement, forget-me's search for a
-- person's reactions, and cost every stored reaction a write to a page of its own
-- (user ids are spread over the whole index). forget-me now finds the rows in a read,
-- which holds up no writer, and deletes them by id in its write transaction.
DROP INDEX reactions_user;

-- Deletions from reactions, counted, so that forget-me can tell whether the ids it read
-- still name the same rows when it writes: a row id can be given again only after the
-- row holding the highest one was deleted.
CREATE TABLE reactions_deleted (n INTEGER NOT NULL);
INSERT INTO reactions_deleted (n) VALUES (0);
CREATE TRIGGER reactions_deleted_count AFTER DELETE ON reactions
BEGIN
    UPDATE reactions_deleted SET n = n + 1;
END;
