DROP TABLE toezichthouders;
ALTER TABLE kwalificaties DROP COLUMN domein;
DROP TABLE referentie_leveringen;
DROP TABLE duo_meldingen;
ALTER TABLE erkenningen DROP COLUMN besloten_op;
ALTER TABLE erkenningen DROP COLUMN aangevraagd_op;
DROP TABLE keuzedeel_erkenningen;
ALTER TABLE bpvos DROP COLUMN keuzedeel_code;
