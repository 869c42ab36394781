DROP TABLE historie_uitnodigingen;
DROP TABLE historie_antwoorden;
DROP TABLE historie_bestanden;
