-- Assessment requests: the praktijkopleider of a begeleidingsdocument is mailed a personal link
-- to assess the werkprocessen before the document's end date. One request per document; its
-- link tokens are stored only as hashes; its mail goes through the same outbox as the survey's
-- (a delivery now belongs to an invitation or to a request).

CREATE TABLE beoordelingsverzoeken (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL UNIQUE REFERENCES begeleidingsdocumenten (id),
    status TEXT NOT NULL,
    scheduled_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    sent_on DATE,
    ingevuld_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE beoordeling_tokens (
    token_hash TEXT PRIMARY KEY,
    verzoek_id TEXT NOT NULL REFERENCES beoordelingsverzoeken (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX beoordeling_tokens_verzoek ON beoordeling_tokens (verzoek_id);

ALTER TABLE deliveries ALTER COLUMN invitation_id DROP NOT NULL;
ALTER TABLE deliveries ADD COLUMN verzoek_id TEXT REFERENCES beoordelingsverzoeken (id);
ALTER TABLE deliveries ADD CONSTRAINT deliveries_verzoek_unique UNIQUE (verzoek_id, soort, nummer);
ALTER TABLE deliveries ADD CONSTRAINT deliveries_een_onderwerp
    CHECK ((invitation_id IS NULL) <> (verzoek_id IS NULL));
