-- One answer per invitation, with a copy of the analysis keys taken at submit time, so that
-- results are computed without ever reading personal data (and survive its removal).
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL UNIQUE REFERENCES invitations (id),
    submitted_at TIMESTAMP NOT NULL,
    bron TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    groep TEXT NOT NULL,
    maand TEXT NOT NULL,
    aanbiedercode TEXT NOT NULL,
    locatiecode TEXT,
    leerweg TEXT NOT NULL,
    crebo TEXT NOT NULL,
    sector TEXT,
    cijfer INTEGER NOT NULL,
    antwoorden TEXT NOT NULL,
    verbeterpunten TEXT
);
CREATE INDEX responses_keys ON responses (groep, maand, aanbiedercode);
