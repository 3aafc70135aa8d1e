-- The platform's own id of a reaction (Matrix: the m.reaction event id). A Matrix
-- removal is a redaction that names only that id.
ALTER TABLE reactions ADD COLUMN platform_ref TEXT;
CREATE INDEX reactions_ref ON reactions(platform_ref) WHERE platform_ref IS NOT NULL;
