-- Results of past years from the earlier research bureaus (`bpv admin import-historie`): answers
-- with their analysis keys and invitation counts per cell, no invitations, no personal data, no
-- free text. One row per imported file (its SHA-256), so importing the same file again changes
-- nothing; the answers and counts of a file commit together with that row, and the reporting
-- index absorbs a file whole once it sees the row.
CREATE TABLE historie_bestanden (
    id TEXT PRIMARY KEY,
    naam TEXT NOT NULL,
    geimporteerd_op TIMESTAMP NOT NULL,
    antwoorden BIGINT NOT NULL,
    uitnodigingen BIGINT NOT NULL
);

CREATE TABLE historie_antwoorden (
    id TEXT PRIMARY KEY,
    bestand_id TEXT NOT NULL REFERENCES historie_bestanden (id),
    questionnaire_version TEXT NOT NULL,
    groep TEXT NOT NULL,
    maand TEXT NOT NULL,
    aanbiedercode TEXT NOT NULL REFERENCES aanbieders (aanbiedercode),
    locatiecode TEXT,
    leerweg TEXT NOT NULL,
    crebo TEXT NOT NULL,
    sector TEXT,
    cijfer INTEGER NOT NULL,
    antwoorden TEXT NOT NULL
);
CREATE INDEX historie_antwoorden_bestand ON historie_antwoorden (bestand_id, id);

CREATE TABLE historie_uitnodigingen (
    bestand_id TEXT NOT NULL REFERENCES historie_bestanden (id),
    groep TEXT NOT NULL,
    maand TEXT NOT NULL,
    aanbiedercode TEXT NOT NULL REFERENCES aanbieders (aanbiedercode),
    locatiecode TEXT,
    leerweg TEXT NOT NULL,
    crebo TEXT NOT NULL,
    aantal BIGINT NOT NULL
);
CREATE INDEX historie_uitnodigingen_bestand ON historie_uitnodigingen (bestand_id);
