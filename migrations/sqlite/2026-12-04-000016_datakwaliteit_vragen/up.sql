-- The six questions of the data-quality dashboard (see docs/architecture.md, "Data quality").

-- Question 2: the keuzedeel whose bpv part a bpvo serves, and erkenningen for keuzedelen.
ALTER TABLE bpvos ADD COLUMN keuzedeel_code TEXT;
CREATE TABLE keuzedeel_erkenningen (
    id TEXT PRIMARY KEY,
    leerbedrijf_id TEXT NOT NULL,
    keuzedeel_code TEXT NOT NULL,
    geldig_van DATE NOT NULL,
    geldig_tot DATE,
    aangevraagd_op DATE,
    besloten_op DATE,
    UNIQUE (leerbedrijf_id, keuzedeel_code, geldig_van)
);

-- Question 5: when the leerbedrijf applied and when SBB decided (older files do not say).
ALTER TABLE erkenningen ADD COLUMN aangevraagd_op DATE;
ALTER TABLE erkenningen ADD COLUMN besloten_op DATE;

-- Question 3: DUO's registration date per bpvo, as DUO delivers it (also for bpvo's this system
-- does not hold: those are the disagreements the school hears about).
CREATE TABLE duo_meldingen (
    aanbiedercode TEXT NOT NULL,
    correlatie_id TEXT NOT NULL,
    startdatum DATE NOT NULL,
    gemeld_op DATE NOT NULL,
    geimporteerd_op TIMESTAMP NOT NULL,
    PRIMARY KEY (aanbiedercode, correlatie_id)
);

-- Question 4: every delivery of SBB's reference data (register: 'erkenningen' or 'kwalificaties').
CREATE TABLE referentie_leveringen (
    id TEXT PRIMARY KEY,
    register TEXT NOT NULL,
    geleverd_op TIMESTAMP NOT NULL
);
CREATE INDEX referentie_leveringen_register ON referentie_leveringen (register, geleverd_op);

-- Domein of the qualification structure, per crebo.
ALTER TABLE kwalificaties ADD COLUMN domein TEXT;

-- Inspectie and OCW: read the quarterly photos of every instelling, nothing else. Deactivated
-- rather than deleted, so the audit trail keeps its actor.
CREATE TABLE toezichthouders (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    naam TEXT NOT NULL,
    organisatie TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    actief BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE UNIQUE INDEX toezichthouders_actief_email ON toezichthouders (email) WHERE actief = 1;
