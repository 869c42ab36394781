-- Sociale veiligheid: where an instelling's students go for help (shown on the thank-you page of
-- a respondent who answered on the unsafe side; a national text when empty), and whether the
-- instelling reads its own verbeterpunten.
ALTER TABLE instellingen ADD COLUMN vertrouwenspersoon_tekst TEXT;
ALTER TABLE instellingen ADD COLUMN vertrouwenspersoon_url TEXT;
ALTER TABLE instellingen ADD COLUMN verbeterpunten_delen BOOLEAN NOT NULL DEFAULT FALSE;
