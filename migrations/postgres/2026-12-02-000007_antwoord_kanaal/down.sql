ALTER TABLE responses DROP COLUMN kanaal;
