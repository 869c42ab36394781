DROP TABLE beeindigde_sessies;
