-- Foundation: schools, their offerings and locations, the people and clients that act for them,
-- the bpvo's they upload, reference data, and the upload/audit trail.

CREATE TABLE instellingen (
    brin TEXT PRIMARY KEY,
    naam TEXT NOT NULL,
    oin TEXT UNIQUE,
    directe_studentbevraging BOOLEAN NOT NULL DEFAULT FALSE,
    intake_op DATE,
    resultaten_api BOOLEAN NOT NULL DEFAULT FALSE,
    verwerkersovereenkomst_getekend_op DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE aanbieders (
    aanbiedercode TEXT PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES instellingen (brin),
    naam TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX aanbieders_brin ON aanbieders (brin);

CREATE TABLE locaties (
    locatiecode TEXT PRIMARY KEY,
    aanbiedercode TEXT NOT NULL REFERENCES aanbieders (aanbiedercode),
    naam TEXT NOT NULL,
    plaats TEXT
);
CREATE INDEX locaties_aanbieder ON locaties (aanbiedercode);

CREATE TABLE gemachtigden (
    id TEXT PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES instellingen (brin),
    email TEXT NOT NULL,
    naam TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    actief BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE UNIQUE INDEX gemachtigden_actief_email ON gemachtigden (email) WHERE actief;
CREATE INDEX gemachtigden_brin ON gemachtigden (brin);

CREATE TABLE api_clients (
    client_id TEXT PRIMARY KEY,
    brin TEXT REFERENCES instellingen (brin),
    naam TEXT NOT NULL,
    rol TEXT NOT NULL,
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE kwalificaties (
    crebo TEXT PRIMARY KEY,
    naam TEXT NOT NULL,
    niveau INTEGER NOT NULL,
    sector TEXT NOT NULL
);

CREATE TABLE erkenningen (
    id TEXT PRIMARY KEY,
    leerbedrijf_id TEXT NOT NULL,
    crebo TEXT NOT NULL,
    geldig_van DATE NOT NULL,
    geldig_tot DATE,
    UNIQUE (leerbedrijf_id, crebo, geldig_van)
);

CREATE TABLE bpvos (
    id TEXT PRIMARY KEY,
    aanbiedercode TEXT NOT NULL REFERENCES aanbieders (aanbiedercode),
    correlatie_id TEXT NOT NULL,
    leerbedrijf_id TEXT NOT NULL,
    crebo TEXT NOT NULL,
    leerweg TEXT NOT NULL,
    startdatum DATE NOT NULL,
    geplande_einddatum DATE NOT NULL,
    werkelijke_einddatum DATE,
    status TEXT NOT NULL,
    student_email TEXT,
    studentcode TEXT,
    student_naam TEXT,
    schoolnaam TEXT,
    locatiecode TEXT,
    praktijkopleider_naam TEXT,
    praktijkopleider_email TEXT,
    school_received_at TIMESTAMP,
    registratie_received_at TIMESTAMP,
    received_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (aanbiedercode, correlatie_id)
);
CREATE INDEX bpvos_geplande_einddatum ON bpvos (geplande_einddatum);
CREATE INDEX bpvos_correlatie_id ON bpvos (correlatie_id);

CREATE TABLE upload_batches (
    id TEXT PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES instellingen (brin),
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    bron TEXT NOT NULL,
    modus TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT,
    status TEXT NOT NULL,
    ontvangen BIGINT NOT NULL,
    aangemaakt BIGINT NOT NULL,
    bijgewerkt BIGINT NOT NULL,
    ongewijzigd BIGINT NOT NULL,
    afgewezen BIGINT NOT NULL,
    resultaat TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (actor_id, idempotency_key)
);
CREATE INDEX upload_batches_brin ON upload_batches (brin, created_at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    brin TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    row_count BIGINT
);
CREATE INDEX audit_log_brin_at ON audit_log (brin, at);
CREATE INDEX audit_log_at ON audit_log (at);

-- The audit log is append-only: the database itself refuses to change or remove an entry.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
