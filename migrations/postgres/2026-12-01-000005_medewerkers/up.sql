-- SBB staff who log into the results dashboard (all instellingen, national figures). Kept apart
-- from gemachtigden, who always belong to one instelling.
CREATE TABLE medewerkers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    naam TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    actief BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE UNIQUE INDEX medewerkers_actief_email ON medewerkers (email) WHERE actief;

-- Answers are read by the reporting index in the order they were stored (keyset on this pair).
CREATE INDEX responses_submitted ON responses (submitted_at, id);
