-- What the retention purge removed: one row per bpvo per purge (which fields, why, when). The
-- bpvo keeps its analysis keys; the answers are untouched.
CREATE TABLE persoonsgegevens_verwijderd (
    id TEXT PRIMARY KEY,
    bpvo_id TEXT NOT NULL REFERENCES bpvos (id),
    verwijderd_op TIMESTAMP NOT NULL,
    -- `termijn` (retention days after the survey closed) or `ingetrokken` (withdrawn bpvo)
    reden TEXT NOT NULL,
    -- comma-separated column names that held a value and were cleared
    velden TEXT NOT NULL
);
CREATE INDEX persoonsgegevens_verwijderd_bpvo ON persoonsgegevens_verwijderd (bpvo_id);

-- Quarterly photos of the data-quality indicators, one per instelling per quarter; the JSON is
-- returned exactly as stored. Photos are never changed or removed.
CREATE TABLE datakwaliteit_fotos (
    id TEXT PRIMARY KEY,
    kwartaal TEXT NOT NULL,
    peildatum DATE NOT NULL,
    brin TEXT NOT NULL REFERENCES instellingen (brin),
    indicatoren TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX datakwaliteit_fotos_kwartaal ON datakwaliteit_fotos (kwartaal, brin);

CREATE TRIGGER datakwaliteit_fotos_no_update BEFORE UPDATE ON datakwaliteit_fotos
BEGIN
    SELECT RAISE(ABORT, 'datakwaliteit_fotos do not change once taken');
END;
CREATE TRIGGER datakwaliteit_fotos_no_delete BEFORE DELETE ON datakwaliteit_fotos
BEGIN
    SELECT RAISE(ABORT, 'datakwaliteit_fotos do not change once taken');
END;

-- Data quality reads the bpvos that started in a period.
CREATE INDEX bpvos_startdatum ON bpvos (startdatum);
