//! Fixtures of the unit tests.
#![allow(clippy::unwrap_used)]

use crate::document::{DocumentRecord, LeerlingRecord, PraktijkopleiderRecord};
use crate::dossier::{Kwalificatiedossier, read_dossiers_csv};

/// Crebo 25998 with two kerntaken: B1-K1 (W1, W2), B1-K2 (W1).
pub fn dossier() -> Kwalificatiedossier {
    read_dossiers_csv(
        "crebo;kerntaak_code;kerntaak_naam;werkproces_code;werkproces_naam\n\
         25998;B1-K1;Logistiek werk;B1-K1-W1;Ontvangt goederen\n\
         25998;B1-K1;Logistiek werk;B1-K1-W2;Slaat goederen op\n\
         25998;B1-K2;Voorraad;B1-K2-W1;Telt de voorraad\n"
            .as_bytes(),
    )
    .unwrap()
    .remove(0)
}

/// A valid record for crebo 25998 (all three werkprocessen).
pub fn record() -> DocumentRecord {
    DocumentRecord {
        leerling: Some(LeerlingRecord {
            naam: Some("Zoë Çelik-de Vries".into()),
            geboortedatum: Some("1987-03-14".into()),
            doelgroep: Some("praktijkonderwijs".into()),
        }),
        locatiecode: Some("251X101".into()),
        leerbedrijf_code: Some("100012345".into()),
        praktijkopleider: Some(PraktijkopleiderRecord {
            naam: Some("Piet de Vries".into()),
            emailadres: Some("piet@bedrijf.example".into()),
        }),
        crebo_code: Some("25998".into()),
        werkprocessen: Some(vec!["B1-K1-W1".into(), "B1-K1-W2".into(), "B1-K2-W1".into()]),
        startdatum: Some("2027-02-01".into()),
        einddatum: Some("2027-06-30".into()),
        leerdoelen: None,
    }
}
