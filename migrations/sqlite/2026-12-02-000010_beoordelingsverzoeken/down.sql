CREATE TABLE deliveries_oud (
    id TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations (id),
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
    UNIQUE (invitation_id, soort, nummer)
);
INSERT INTO deliveries_oud (id, invitation_id, soort, nummer, recipient, status, attempts, next_attempt_at,
    lease_until, lease_owner, message_id, last_reply, sent_at, created_at, updated_at)
SELECT id, invitation_id, soort, nummer, recipient, status, attempts, next_attempt_at,
    lease_until, lease_owner, message_id, last_reply, sent_at, created_at, updated_at
FROM deliveries WHERE invitation_id IS NOT NULL;
DROP TABLE deliveries;
ALTER TABLE deliveries_oud RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
DROP TABLE beoordeling_tokens;
DROP TABLE beoordelingsverzoeken;
