-- Lezers: quality staff and team leaders who read an instelling's results on the dashboard (no
-- upload, no data quality or other record-level views), any number per instelling, optionally
-- limited to some of its aanbieders and/or locaties (space-separated codes; empty = the whole
-- instelling). Deactivated rather than deleted, so the audit trail keeps its actor.
CREATE TABLE lezers (
    id TEXT PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES instellingen (brin),
    email TEXT NOT NULL,
    naam TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    aanbieders TEXT NOT NULL,
    locaties TEXT NOT NULL,
    actief BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE UNIQUE INDEX lezers_actief_email ON lezers (email) WHERE actief;
CREATE INDEX lezers_brin ON lezers (brin);
