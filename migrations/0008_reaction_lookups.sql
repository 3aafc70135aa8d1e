-- The reaction writer keeps what it looked up (which posted prompt a message is, who
-- belongs to a couple) in memory. Every change that could make such a lookup stale
-- counts up `n`, whoever makes it; the writer reads `n` inside each batch's write
-- transaction and forgets what it knows when `n` has moved. Nothing here is user data.
CREATE TABLE reaction_lookups_epoch (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    n    INTEGER NOT NULL
);
INSERT INTO reaction_lookups_epoch (only, n) VALUES (1, 0);

-- Membership: joining, leaving (forget-me), a couple removed (cascades here too).
CREATE TRIGGER reaction_lookups_member_added AFTER INSERT ON couple_members
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
CREATE TRIGGER reaction_lookups_member_removed AFTER DELETE ON couple_members
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
CREATE TRIGGER reaction_lookups_member_changed AFTER UPDATE OF couple_id, user_id ON couple_members
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
CREATE TRIGGER reaction_lookups_couple_removed AFTER DELETE ON couples
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
CREATE TRIGGER reaction_lookups_couple_changed AFTER UPDATE OF id, platform ON couples
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;

-- Posted prompts: a delivery removed, or a posted one changed. A delivery that is
-- posted (message_id set from NULL) changes no earlier lookup unless another delivery
-- already has that message id (the oldest of them is the one a reaction is on).
CREATE TRIGGER reaction_lookups_delivery_removed AFTER DELETE ON deliveries
WHEN OLD.message_id IS NOT NULL
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
CREATE TRIGGER reaction_lookups_posted_changed AFTER UPDATE OF id, couple_id, kind, message_id ON deliveries
WHEN OLD.message_id IS NOT NULL
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
CREATE TRIGGER reaction_lookups_posted_again AFTER UPDATE OF message_id ON deliveries
WHEN OLD.message_id IS NULL AND NEW.message_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM deliveries x WHERE x.message_id = NEW.message_id AND x.id <> NEW.id)
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
CREATE TRIGGER reaction_lookups_inserted_posted AFTER INSERT ON deliveries
WHEN NEW.message_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM deliveries x WHERE x.message_id = NEW.message_id AND x.id <> NEW.id)
BEGIN UPDATE reaction_lookups_epoch SET n = n + 1; END;
