DROP INDEX bpvos_startdatum;
DROP TABLE datakwaliteit_fotos;
DROP TABLE persoonsgegevens_verwijderd;
