DROP TABLE praktijkverklaringen;
DROP TABLE beoordelingen;
DROP TABLE begeleidingsdocumenten;
DROP TABLE werkprocessen;
