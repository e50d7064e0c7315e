-- Control writes in the history (kind 'controlled'): the point, the value, the registers and the outcome, as JSON
-- text; NULL for every other kind of entry.
ALTER TABLE device_history ADD COLUMN control TEXT CHECK (control IS NULL OR json_valid(control));
