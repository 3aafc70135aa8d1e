-- A member's own timezone, for partners who live apart. NULL: the couple's timezone.
ALTER TABLE couple_members ADD COLUMN timezone TEXT;
