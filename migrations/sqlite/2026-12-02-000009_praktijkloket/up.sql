-- The Praktijkloket: qualification dossiers, begeleidingsdocumenten from the school's SIS,
-- beoordelingen (by the praktijkopleider's link or by the school) and praktijkverklaringen.

-- Kwalificatiedossiers: one row per werkproces, with its kerntaak; `volgorde` keeps the file order.
CREATE TABLE werkprocessen (
    crebo TEXT NOT NULL,
    code TEXT NOT NULL,
    kerntaak_code TEXT NOT NULL,
    kerntaak_naam TEXT NOT NULL,
    naam TEXT NOT NULL,
    volgorde INTEGER NOT NULL,
    PRIMARY KEY (crebo, code)
);

-- A begeleidingsdocument, keyed by the SIS's own id per instelling. The learner's and the
-- praktijkopleider's personal data are nullable: the purge removes them (docs/privacy.md).
-- `werkprocessen`: the chosen codes, comma-separated, in dossier order.
CREATE TABLE begeleidingsdocumenten (
    id TEXT PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES instellingen (brin),
    document_id TEXT NOT NULL,
    locatiecode TEXT NOT NULL,
    leerbedrijf_id TEXT NOT NULL,
    praktijkopleider_naam TEXT,
    praktijkopleider_email TEXT,
    crebo TEXT NOT NULL,
    werkprocessen TEXT NOT NULL,
    startdatum DATE NOT NULL,
    einddatum DATE NOT NULL,
    leerdoelen TEXT,
    leerling_naam TEXT,
    leerling_geboortedatum DATE,
    doelgroep TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (brin, document_id)
);

-- Beoordelingen of a document; the newest counts. `oordelen`: `B1-K1-W1=beheerst,…`.
CREATE TABLE beoordelingen (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES begeleidingsdocumenten (id),
    rol TEXT NOT NULL,
    beoordeeld_door TEXT,
    datum DATE NOT NULL,
    oordelen TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX beoordelingen_document ON beoordelingen (document_id, created_at);

-- Issued praktijkverklaringen. Never changed except by withdrawal; they keep what verification
-- needs (the learner's name, the qualification, the werkprocessen) after the document's
-- personal data is purged.
CREATE TABLE praktijkverklaringen (
    id TEXT PRIMARY KEY,
    nummer TEXT NOT NULL UNIQUE,
    verificatiecode TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES begeleidingsdocumenten (id),
    brin TEXT NOT NULL,
    crebo TEXT NOT NULL,
    leerbedrijf_id TEXT NOT NULL,
    werkprocessen TEXT NOT NULL,
    leerling_naam TEXT NOT NULL,
    doelgroep TEXT NOT NULL,
    afgegeven_op DATE NOT NULL,
    status TEXT NOT NULL,
    ingetrokken_op DATE,
    reden_intrekking TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX praktijkverklaringen_brin ON praktijkverklaringen (brin, afgegeven_op);
CREATE INDEX praktijkverklaringen_document ON praktijkverklaringen (document_id);
