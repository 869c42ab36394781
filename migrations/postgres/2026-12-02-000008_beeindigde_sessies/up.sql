-- Sessions (upload page, dashboard) ended by logging out before their token expired. Every
-- request of a session checks this list, so a copied cookie stops working at logout. A row is
-- kept until the token would have expired anyway (`bpv-dispatcher purge` removes it then).
CREATE TABLE beeindigde_sessies (
    jti TEXT PRIMARY KEY,
    verloopt_op TIMESTAMP NOT NULL
);
