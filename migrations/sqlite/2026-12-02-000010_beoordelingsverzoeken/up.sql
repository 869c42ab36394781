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

-- SQLite cannot drop NOT NULL in place: rebuild the outbox with the same rows.
CREATE TABLE deliveries_nieuw (
    id TEXT PRIMARY KEY,
    invitation_id TEXT REFERENCES invitations (id),
    verzoek_id TEXT REFERENCES beoordelingsverzoeken (id),
    soort TEXT NOT NULL,
    nummer INTEGER NOT NULL,
    recipient TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    lease_owner TEXT,
    message_id TEXT,
    last_reply TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (invitation_id, soort, nummer),
    UNIQUE (verzoek_id, soort, nummer),
    CHECK ((invitation_id IS NULL) <> (verzoek_id IS NULL))
);
INSERT INTO deliveries_nieuw (id, invitation_id, verzoek_id, soort, nummer, recipient, status, attempts,
    next_attempt_at, lease_until, lease_owner, message_id, last_reply, sent_at, created_at, updated_at)
SELECT id, invitation_id, NULL, soort, nummer, recipient, status, attempts,
    next_attempt_at, lease_until, lease_owner, message_id, last_reply, sent_at, created_at, updated_at
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_nieuw RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
