DROP INDEX bpvos_startdatum;
DROP TABLE datakwaliteit_fotos;
DROP TABLE persoonsgegevens_verwijderd;
DROP FUNCTION datakwaliteit_fotos_fixed;
