-- Survey invitations (one per bpvo and respondent group), the tokens in their links (only
-- hashes), the outbox of mails to send (one row per invitation or reminder mail), and addresses
-- that refused mail for good.

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    bpvo_id TEXT NOT NULL REFERENCES bpvos (id),
    groep TEXT NOT NULL,
    kanaal TEXT NOT NULL,
    status TEXT NOT NULL,
    scheduled_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    sent_on DATE,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    opted_out BOOLEAN NOT NULL DEFAULT 0,
    answered_at TIMESTAMP,
    cancel_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (bpvo_id, groep)
);
CREATE INDEX invitations_status ON invitations (status, scheduled_on);

CREATE TABLE invitation_tokens (
    token_hash TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitation_tokens_invitation ON invitation_tokens (invitation_id);

CREATE TABLE deliveries (
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
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

CREATE TABLE suppressed_addresses (
    email TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
