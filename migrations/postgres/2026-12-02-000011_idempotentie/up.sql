-- Answers of the Praktijkloket's POSTs under an Idempotency-Key, per API client: a retry with
-- the same key and the same request gets the first answer again; stored in the transaction of
-- the effect itself. Kept 24 hours (the bodies may name the learner), then purged.
CREATE TABLE idempotente_antwoorden (
    client_id TEXT NOT NULL,
    sleutel TEXT NOT NULL,
    verzoek_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, sleutel)
);
CREATE INDEX idempotente_antwoorden_created ON idempotente_antwoorden (created_at);
