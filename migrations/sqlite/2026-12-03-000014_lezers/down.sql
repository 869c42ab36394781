DROP TABLE lezers;
