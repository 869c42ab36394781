-- National figures per group as the results engine published them, for the survey's thank-you
-- page (which holds no results index of its own): the grade and every theme score over whole
-- calendar years, withheld (NULL) below k. Replaced whole at every publication.
CREATE TABLE landelijke_cijfers (
    groep TEXT NOT NULL,
    code TEXT NOT NULL,
    naam TEXT NOT NULL,
    volgorde INTEGER NOT NULL,
    waarde REAL,
    n BIGINT NOT NULL,
    van TEXT NOT NULL,
    tot_en_met TEXT NOT NULL,
    gepubliceerd_op TIMESTAMP NOT NULL,
    PRIMARY KEY (groep, code)
);
