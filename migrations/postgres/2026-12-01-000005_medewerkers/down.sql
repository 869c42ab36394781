DROP INDEX responses_submitted;
DROP TABLE medewerkers;
