DROP TABLE landelijke_cijfers;
