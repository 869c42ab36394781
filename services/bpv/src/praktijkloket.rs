//! The demo's Praktijkloket: SBB's kwalificatiedossiers (the shipped level 1–2 set), erkenningen
//! for the leerbedrijven that take these learners, and the demo school's begeleidingsdocumenten —
//! running ones without a beoordeling yet, finished ones assessed by the praktijkopleider, most of
//! those with an issued praktijkverklaring. All through the same rules and tables the API
//! uses.

use bpv_store::DbConnection;
use bpv_store::models::ErkenningRow;
use bpv_store::repo::praktijkloket::{self as repo, BeoordelingRow, DocumentRow, VerklaringRow};
use bpv_store::repo::referentie;
use chrono::{Datelike, Days, NaiveDate};
use praktijkleren::{
    Begeleidingsdocument, Beoordelaar, Beoordeling, DocumentRecord, Kwalificatiedossier, LeerlingRecord,
    PraktijkopleiderRecord,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::CliError;

/// What was made.
#[derive(Debug, Default)]
pub struct Praktijkloket {
    pub dossiers: usize,
    pub documenten: usize,
    pub beoordelingen: usize,
    pub verklaringen: usize,
    /// The verification code of one valid verklaring (printed by `bpv demo`).
    pub voorbeeldcode: Option<String>,
}

const VOORNAMEN: [&str; 12] =
    ["Zoë", "Mohamed", "Sanne", "Jayden", "Fatima", "Daan", "Özlem", "Noah", "Chantal", "Bram", "Aïcha", "Jesse"];
const ACHTERNAMEN: [&str; 12] = [
    "Çelik-de Vries",
    "El Amrani",
    "Jansen",
    "Özdemir",
    "Bakker",
    "Visser",
    "de Boer",
    "Yılmaz",
    "Smit",
    "Mulder",
    "van Dijk",
    "Bouzid",
];
const DOELGROEPEN: [&str; 4] = ["praktijkonderwijs", "vso", "vsv", "llo"];

/// Seed the Praktijkloket for instelling `brin` at locatie `locatie` (`n` documents).
pub fn seed(
    conn: &mut DbConnection,
    brin: &str,
    locatie: &str,
    n: usize,
    seed: u64,
    today: NaiveDate,
) -> Result<Praktijkloket, CliError> {
    let dossiers = praktijkleren::builtin_dossiers();
    let mut s = Seeder {
        rng: StdRng::seed_from_u64(seed ^ 0x5052_414b),
        brin: bpvo::Brin::parse(brin).map_err(|e| crate::bad(e.en))?,
        locatie: locatie.to_owned(),
        today,
        out: Praktijkloket { dossiers: dossiers.len(), ..Praktijkloket::default() },
    };
    bpv_store::write_transaction(conn, |conn| -> Result<(), CliError> {
        repo::replace_dossiers(conn, &dossiers)?;
        // One leerbedrijf per qualification, erkend for it since long before.
        let erkenningen: Vec<ErkenningRow> = (dossiers.iter().enumerate())
            .map(|(i, d)| ErkenningRow {
                id: bpv_store::ids::new_id(),
                leerbedrijf_id: format!("2000000{i:02}"),
                crebo: d.crebo.as_str().to_owned(),
                geldig_van: NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or(today),
                geldig_tot: None,
                aangevraagd_op: None,
                besloten_op: None,
            })
            .collect();
        referentie::insert_erkenningen(conn, &erkenningen)?;
        for i in 0..n {
            let k = i % dossiers.len();
            s.document(conn, i, &dossiers[k], &erkenningen[k])?;
        }
        Ok(())
    })?;
    Ok(s.out)
}

struct Seeder {
    rng: StdRng,
    brin: bpvo::Brin,
    locatie: String,
    today: NaiveDate,
    out: Praktijkloket,
}

impl Seeder {
    /// Document `i`: a third still running (the first three end within two weeks); the rest finished between a year and a week ago,
    /// assessed, and four in five of those issued.
    fn document(
        &mut self,
        conn: &mut DbConnection,
        i: usize,
        dossier: &Kwalificatiedossier,
        erkenning: &ErkenningRow,
    ) -> Result<(), CliError> {
        let (today, rng) = (self.today, &mut self.rng);
        let mut werk: Vec<String> =
            dossier.werkprocessen().filter(|_| rng.random_bool(0.8)).map(|(_, w)| w.code.to_string()).collect();
        if werk.is_empty() {
            werk.extend(dossier.werkprocessen().next().map(|(_, w)| w.code.to_string()));
        }
        let running = i.is_multiple_of(3);
        let einde = if running && i < 9 {
            // The first few end within two weeks: the dispatcher mails their praktijkopleiders the
            // assessment link (`scheduling.beoordeling_lead_days`).
            today + Days::new(rng.random_range(7..14))
        } else if running {
            today + Days::new(rng.random_range(15..120))
        } else {
            today - Days::new(rng.random_range(7..365))
        };
        let start = einde - Days::new(rng.random_range(90..200));
        let naam = format!("{} {}", VOORNAMEN[rng.random_range(0..12)], ACHTERNAMEN[rng.random_range(0..12)]);
        let geboren = NaiveDate::from_ymd_opt(start.year() - rng.random_range(16..40), rng.random_range(1..13), 14)
            .unwrap_or(start);
        let record = DocumentRecord {
            leerling: Some(LeerlingRecord {
                naam: Some(naam),
                geboortedatum: Some(geboren.to_string()),
                doelgroep: Some(DOELGROEPEN[i % 4].into()),
            }),
            locatiecode: Some(self.locatie.clone()),
            leerbedrijf_code: Some(erkenning.leerbedrijf_id.clone()),
            praktijkopleider: Some(PraktijkopleiderRecord {
                naam: Some("Petra Hoekstra".into()),
                emailadres: Some(format!("praktijkopleider.{}@leerbedrijf.example", erkenning.crebo)),
            }),
            crebo_code: Some(dossier.crebo.as_str().to_owned()),
            werkprocessen: Some(werk),
            startdatum: Some(start.to_string()),
            einddatum: Some(einde.to_string()),
            leerdoelen: None,
        };
        let id = format!("DEMO-PL-{:04}", i + 1);
        let document = Begeleidingsdocument::from_record(&self.brin, &id, &record, |_| Some(dossier.clone()))
            .map_err(|e| crate::bad(format!("demo-begeleidingsdocument: {e}")))?;
        let now = bpv_store::now_utc();
        let (_, row) = repo::upsert_document(conn, DocumentRow::new(&document, now))?;
        self.out.documenten += 1;
        if running {
            return Ok(());
        }
        let oordelen: Vec<(Option<&str>, Option<&str>)> = (document.werkprocessen.iter())
            .map(|w| (Some(w.as_str()), Some(if self.rng.random_bool(0.75) { "beheerst" } else { "nogNiet" })))
            .collect();
        let datum = (einde - Days::new(3)).to_string();
        let door = Some("Petra Hoekstra");
        let beoordeling =
            Beoordeling::from_parts(&document, Beoordelaar::Praktijkopleider, door, Some(&datum), &oordelen, today)
                .map_err(|e| crate::bad(format!("demo-beoordeling: {e}")))?;
        repo::insert_beoordeling(conn, &BeoordelingRow::new(&row.id, &beoordeling, now))?;
        self.out.beoordelingen += 1;
        if i % 5 == 1 {
            return Ok(()); // assessed, not yet issued
        }
        let erkend = bpvo::Erkenning {
            leerbedrijf_id: document.leerbedrijf.clone(),
            crebo: document.crebo.clone(),
            geldig_van: erkenning.geldig_van,
            geldig_tot: None,
            aangevraagd_op: None,
            besloten_op: None,
        };
        let afgegeven = einde.min(today);
        let nummer = repo::next_nummer(conn, afgegeven.year())?;
        let code = bpv_school_api::new_verificatiecode();
        // Nothing mastered: no verklaring (as the API would refuse).
        let Ok(v) = praktijkleren::issue(&document, Some(&beoordeling), &[erkend], &[], nummer, code, afgegeven) else {
            return Ok(());
        };
        let stored = VerklaringRow::new(&v, &row, document.leerling.naam.as_str(), now);
        repo::insert_verklaring(conn, &stored)?;
        self.out.verklaringen += 1;
        self.out.voorbeeldcode.get_or_insert(stored.verificatiecode);
        Ok(())
    }
}
