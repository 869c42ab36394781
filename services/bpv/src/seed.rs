//! Realistic synthetic data for `bpv demo`, benchmarks and tests: fictional instellingen with
//! aanbieders and locaties, the built-in crebo list, leerbedrijven with erkenningen, and bpvo's
//! with plausible dates and Dutch names (diacritics included). Deterministic for a given seed.
//! Every bpvo goes through the same validation as a school's upload.

use std::collections::HashSet;

use bpv_store::models::{
    AanbiederRow, DuoMeldingRow, ErkenningRow, InstellingRow, KeuzedeelErkenningRow, KwalificatieRow, LocatieRow,
};
use bpv_store::repo::{aanbieders, bpvos, instellingen, referentie};
use bpv_store::{DbConnection, StoreError, ids::new_id, now_utc};
use bpvo::{Bpvo, BpvoRecord, SchoolRecord, StudentRecord};
use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What to make.
#[derive(Debug, Clone)]
pub struct SeedConfig {
    /// Number of bpvo's.
    pub bpvos: usize,
    /// Random seed: the same seed gives the same data.
    pub seed: u64,
    /// The day the data is centred on (planned end dates fall from ~18 months before to ~6 months after).
    pub today: NaiveDate,
}

/// What was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub instellingen: usize,
    pub aanbieders: usize,
    pub locaties: usize,
    pub kwalificaties: usize,
    pub leerbedrijven: usize,
    pub erkenningen: usize,
    pub bpvos: usize,
    pub bpvos_met_student_email: usize,
    /// Bpvo's for which SBB's registration (with the praktijkopleider) was merged in.
    pub bpvos_met_praktijkopleider: usize,
}

/// A fictional instelling of the demo: BRIN, name, city names of its locations, whether it
/// takes part in directe studentbevraging.
struct DemoSchool {
    brin: &'static str,
    naam: &'static str,
    oin: Option<&'static str>,
    deelname: bool,
    aanbieders: &'static [(&'static str, &'static str, &'static [&'static str])],
}

const SCHOOLS: &[DemoSchool] = &[
    DemoSchool {
        brin: "25LX",
        naam: "ROC Amstelvliet",
        oin: Some("00000001812345670000"),
        deelname: true,
        aanbieders: &[
            ("251A100", "ROC Amstelvliet Techniek & ICT", &["Amsterdam-Noord", "Zaandam"]),
            ("251A200", "ROC Amstelvliet Zorg & Welzijn", &["Amsterdam-Zuidoost", "Amstelveen", "Hoofddorp"]),
        ],
    },
    DemoSchool {
        brin: "27KP",
        naam: "Graafschap Vakcollege",
        oin: Some("00000001823456780000"),
        deelname: true,
        aanbieders: &[("272A110", "Graafschap Vakcollege", &["Doetinchem", "Winterswijk"])],
    },
    DemoSchool {
        brin: "30RC",
        naam: "ROC Zeeuwse Delta",
        oin: None,
        deelname: false,
        aanbieders: &[("303A300", "ROC Zeeuwse Delta", &["Middelburg", "Vlissingen", "Terneuzen"])],
    },
    DemoSchool {
        brin: "25PJ",
        naam: "Noorderland College",
        oin: Some("00000001834567890000"),
        deelname: true,
        aanbieders: &[
            ("254A410", "Noorderland College Groningen", &["Groningen", "Assen"]),
            ("254A420", "Noorderland Vakschool Friesland", &["Leeuwarden", "Sneek"]),
        ],
    },
    DemoSchool {
        brin: "24ZB",
        naam: "Horizon MBO Brabant",
        oin: None,
        deelname: false,
        aanbieders: &[("245A510", "Horizon MBO Brabant", &["Eindhoven", "Tilburg", "Helmond"])],
    },
    DemoSchool {
        brin: "31FT",
        naam: "Rijnmond Vakschool",
        oin: Some("00000001845678900000"),
        deelname: true,
        aanbieders: &[("316A610", "Rijnmond Vakschool", &["Rotterdam-Zuid", "Dordrecht", "Schiedam"])],
    },
];

/// An aanbieder as the bpvo generator picks from it.
#[derive(Debug, Clone)]
struct DemoAanbieder {
    code: String,
    /// (locatiecode, schoolnaam as printed on the bpvo)
    locaties: Vec<(String, String)>,
    mail_domain: String,
}

const VOORNAMEN: &[&str] = &[
    "Zoë", "Daan", "Noëlle", "Sem", "Chloë", "Luuk", "Daniël", "Fleur", "Renée", "Mohammed", "Aïcha", "Jesse",
    "Sophie", "Mila", "Thijs", "Ilse", "Eliëlle", "Noah", "Yusuf", "Saar", "Maëlle", "Bram", "Anouk", "Joël", "Fatima",
    "Ruben", "Lotte", "Ömer", "Lieke", "Gijs", "Esmée", "Sven", "Nadia", "Kevin", "Iris", "Raphaël", "Emma", "Julia",
    "Lars", "Hüseyin", "Priya", "Stijn", "Chayenne", "Tim", "Roos", "Mehmet", "Ayoub", "Femke",
];
const TUSSENVOEGSELS: &[&str] = &["de", "van", "van der", "van den", "ter", "in 't", "van de", "den"];
const ACHTERNAMEN: &[&str] = &[
    "Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dijkstra",
    "Çelik",
    "Yılmaz",
    "Öztürk",
    "El Amrani",
    "Bouzid",
    "Nguyen",
    "Kaya",
    "Brouwer",
    "Dekker",
    "Koç",
    "Berg",
    "Boer",
    "Groot",
    "Haan",
    "Kok",
    "Veen",
    "Wit",
    "Aydın",
    "Şahin",
    "Martens",
    "Wouters",
    "Postma",
    "Huisman",
    "Kuipers",
    "Lambrechts",
    "Hoekstra",
    "Schouten",
    "Verhoeven",
    "Maas",
    "Willems",
    "Jacobs",
    "Sedney",
];

/// Lower-case ASCII for an email local part: "Zoë Çelik-de Vries" → "zoe.celik-devries".
fn mail_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mapped = match c {
            'à' | 'á' | 'â' | 'ä' | 'å' => "a",
            'ç' | 'Ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ı' | 'İ' => "i",
            'ò' | 'ó' | 'ô' | 'ö' | 'Ö' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'Ü' => "u",
            'ş' | 'Ş' => "s",
            'ğ' => "g",
            '\'' | ' ' => "",
            c if c.is_ascii_alphanumeric() || c == '-' || c == '.' => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            _ => "",
        };
        out.push_str(mapped);
    }
    out
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Make the demo data inside one transaction; refuses when instellingen already exist.
pub fn seed(conn: &mut DbConnection, cfg: &SeedConfig) -> Result<SeedSummary, StoreError> {
    bpv_store::write_transaction(conn, |conn| seed_in_tx(conn, cfg))
}

fn seed_in_tx(conn: &mut DbConnection, cfg: &SeedConfig) -> Result<SeedSummary, StoreError> {
    // One random stream, used by the phases in this order, so a seed always gives the same data.
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let now = now_utc();
    let mut summary = SeedSummary::default();
    let kwalificaties = seed_kwalificaties(conn, &mut summary)?;
    let aanbieders = seed_instellingen(conn, cfg, now, &mut summary)?;
    let bedrijven = seed_leerbedrijven(conn, cfg, &mut rng, &kwalificaties, &mut summary)?;
    let demo = demo_bpvos(cfg, &mut rng, &kwalificaties, &bedrijven, &aanbieders, &mut summary)?;
    let outcomes = bpvos::upsert_school_records(conn, &demo.records, now)?;
    summary.bpvos = outcomes.len();
    set_arrival_times(conn, cfg, now, &outcomes, &demo.records)?;
    summary.bpvos_met_praktijkopleider = seed_registraties(conn, &mut rng, &demo, now)?;
    seed_datakwaliteit(conn, cfg, now, &demo, &bedrijven)?;
    Ok(summary)
}

/// Reference data: the built-in crebo list.
fn seed_kwalificaties(
    conn: &mut DbConnection,
    summary: &mut SeedSummary,
) -> Result<Vec<bpvo::Kwalificatie>, StoreError> {
    let kwalificaties = bpvo::builtin_kwalificaties();
    let rows: Vec<KwalificatieRow> = kwalificaties.iter().map(KwalificatieRow::from).collect();
    summary.kwalificaties = referentie::upsert_kwalificaties(conn, &rows)?;

    Ok(kwalificaties)
}

/// Instellingen, their aanbieders and locaties.
fn seed_instellingen(
    conn: &mut DbConnection,
    cfg: &SeedConfig,
    now: chrono::NaiveDateTime,
    summary: &mut SeedSummary,
) -> Result<Vec<DemoAanbieder>, StoreError> {
    let mut locaties_per_aanbieder: Vec<DemoAanbieder> = Vec::new();
    for (si, school) in SCHOOLS.iter().enumerate() {
        let sinds = cfg.today - Days::new(400 + 30 * si as u64);
        instellingen::insert(
            conn,
            &InstellingRow {
                brin: school.brin.into(),
                naam: school.naam.into(),
                oin: school.oin.map(str::to_owned),
                directe_studentbevraging: school.deelname,
                intake_op: school.deelname.then_some(sinds),
                resultaten_api: school.oin.is_some(),
                verwerkersovereenkomst_getekend_op: (school.deelname || si % 2 == 0).then_some(sinds),
                created_at: now,
                updated_at: now,
                vertrouwenspersoon_tekst: None,
                vertrouwenspersoon_url: None,
                verbeterpunten_delen: false,
            },
        )?;
        summary.instellingen += 1;
        for (ai, (code, naam, plaatsen)) in school.aanbieders.iter().enumerate() {
            aanbieders::insert(
                conn,
                &AanbiederRow {
                    aanbiedercode: (*code).into(),
                    brin: school.brin.into(),
                    naam: (*naam).into(),
                    created_at: now,
                },
            )?;
            summary.aanbieders += 1;
            let mut locs = Vec::new();
            for (li, plaats) in plaatsen.iter().enumerate() {
                let locatiecode = format!("{}X{}{}{}", &code[..3], si + 1, ai + 1, li + 1);
                aanbieders::upsert_locatie(
                    conn,
                    &LocatieRow {
                        locatiecode: locatiecode.clone(),
                        aanbiedercode: (*code).into(),
                        naam: format!("{naam} {plaats}"),
                        plaats: Some((*plaats).into()),
                    },
                )?;
                summary.locaties += 1;
                locs.push((locatiecode, format!("{naam} {plaats}")));
            }
            let domain = format!("{}.nl", mail_part(school.naam).replace('.', ""));
            locaties_per_aanbieder.push(DemoAanbieder { code: (*code).into(), locaties: locs, mail_domain: domain });
        }
    }

    Ok(locaties_per_aanbieder)
}

/// Leerbedrijven (id, indexes of the kwalificaties it is recognised for), each recognised for a
/// few qualifications; some recognitions lapsed.
fn seed_leerbedrijven(
    conn: &mut DbConnection,
    cfg: &SeedConfig,
    rng: &mut StdRng,
    kwalificaties: &[bpvo::Kwalificatie],
    summary: &mut SeedSummary,
) -> Result<Vec<(String, Vec<usize>)>, StoreError> {
    let n_bedrijven = (cfg.bpvos / 5).clamp(50, 5_000);
    let mut bedrijven: Vec<(String, Vec<usize>)> = Vec::with_capacity(n_bedrijven);
    let mut used_ids = HashSet::new();
    while bedrijven.len() < n_bedrijven {
        let id = rng.random_range(100_000_000u32..=999_999_999).to_string();
        if !used_ids.insert(id.clone()) {
            continue;
        }
        let n = rng.random_range(1..=3);
        let crebos: Vec<usize> = (0..n).map(|_| rng.random_range(0..kwalificaties.len())).collect();
        bedrijven.push((id, crebos));
    }
    summary.leerbedrijven = bedrijven.len();
    let mut erkenningen = Vec::new();
    let mut erkend = HashSet::new();
    for (id, crebos) in &bedrijven {
        for &ci in crebos {
            let crebo = kwalificaties[ci].crebo.as_str().to_owned();
            if !erkend.insert((id.clone(), crebo.clone())) {
                continue;
            }
            let van = cfg.today - Days::new(rng.random_range(400..3_000));
            // Some recognitions lapsed: those bpvo's show up in the data-quality view.
            let tot = rng.random_bool(0.08).then(|| cfg.today - Days::new(rng.random_range(30..600)));
            erkenningen.push(ErkenningRow {
                id: new_id(),
                leerbedrijf_id: id.clone(),
                crebo,
                geldig_van: van,
                geldig_tot: tot,
                aangevraagd_op: None,
                besloten_op: None,
            });
        }
    }
    // When each was applied for and decided (a stream of its own, so the rest stays as it was):
    // mostly decided within the eight-week norm, some slower, some decided after the recognition
    // took effect; the oldest predate the dates in SBB's file.
    let mut besluit = StdRng::seed_from_u64(cfg.seed ^ 0xbe51_0075);
    for e in &mut erkenningen {
        if besluit.random_bool(0.2) {
            continue;
        }
        let besloten = if besluit.random_bool(0.1) {
            e.geldig_van + Days::new(besluit.random_range(1..60))
        } else {
            e.geldig_van - Days::new(besluit.random_range(0..20))
        };
        let duur =
            if besluit.random_bool(0.8) { besluit.random_range(10..=56) } else { besluit.random_range(57..=150) };
        e.besloten_op = Some(besloten);
        e.aangevraagd_op = Some(besloten - Days::new(duur));
    }
    summary.erkenningen = referentie::insert_erkenningen(conn, &erkenningen)?;

    Ok(bedrijven)
}

/// The demo bpvo's, validated as an upload would be, with the leerbedrijf (index) of each and
/// one praktijkopleider (naam, e-mail) per leerbedrijf.
struct DemoBpvos {
    records: Vec<Bpvo>,
    bedrijf_of: Vec<usize>,
    opleiders: Vec<(String, String)>,
}

/// Bpvo's, through the same validation as an upload.
fn demo_bpvos(
    cfg: &SeedConfig,
    rng: &mut StdRng,
    kwalificaties: &[bpvo::Kwalificatie],
    bedrijven: &[(String, Vec<usize>)],
    locaties_per_aanbieder: &[DemoAanbieder],
    summary: &mut SeedSummary,
) -> Result<DemoBpvos, StoreError> {
    // One praktijkopleider per leerbedrijf: several students of one trainer due the same day get
    // one digest mail.
    let opleiders: Vec<(String, String)> = bedrijven
        .iter()
        .map(|(id, _)| {
            let voornaam = *pick(rng, VOORNAMEN);
            let achternaam = *pick(rng, ACHTERNAMEN);
            let email = format!("{}.{}@leerbedrijf-{id}.example.nl", mail_part(voornaam), mail_part(achternaam));
            (format!("{voornaam} {achternaam}"), email)
        })
        .collect();
    let mut records: Vec<Bpvo> = Vec::with_capacity(cfg.bpvos);
    let mut bedrijf_of: Vec<usize> = Vec::with_capacity(cfg.bpvos);
    let mut studentcode = 1_000_000u32 + rng.random_range(0..1_000);
    // Keuzedelen on some bpvo's, from a stream of their own (the rest stays as it was).
    let mut keuzedelen = StdRng::seed_from_u64(cfg.seed ^ 0x6e02_edee);
    for n in 0..cfg.bpvos {
        let DemoAanbieder { code: aanbiedercode, locaties: locs, mail_domain: domain } =
            pick(rng, locaties_per_aanbieder).clone();
        let (locatiecode, schoolnaam) = pick(rng, &locs).clone();
        let bi = rng.random_range(0..bedrijven.len());
        bedrijf_of.push(bi);
        let (bedrijf, crebos) = &bedrijven[bi];
        // Mostly at a recognised leerbedrijf for the qualification, sometimes not (data quality).
        let ci = if rng.random_bool(0.93) { *pick(rng, crebos) } else { rng.random_range(0..kwalificaties.len()) };
        let bbl = rng.random_bool(0.35);
        let eind =
            cfg.today.checked_add_signed(chrono::Duration::days(rng.random_range(-540..=180))).unwrap_or(cfg.today);
        let duur = if bbl { rng.random_range(200..=365) } else { rng.random_range(70..=300) };
        let start = eind - Days::new(duur);
        let voornaam = *pick(rng, VOORNAMEN);
        let tussen = rng.random_bool(0.3).then(|| *pick(rng, TUSSENVOEGSELS));
        let achternaam = *pick(rng, ACHTERNAMEN);
        let naam = match tussen {
            Some(t) => format!("{voornaam} {t} {achternaam}"),
            None => format!("{voornaam} {achternaam}"),
        };
        studentcode += rng.random_range(1..40);
        let email = rng.random_bool(0.9).then(|| {
            let last = format!("{}{}", tussen.map(mail_part).unwrap_or_default(), mail_part(achternaam));
            format!("{}.{}{}@student.{domain}", mail_part(voornaam), last, studentcode % 100)
        });
        let record = BpvoRecord {
            correlatie_id: Some(format!("EDU-{}-{:06}", &aanbiedercode[..3], n + 1)),
            leerbedrijf_code: Some(bedrijf.clone()),
            crebo_code: Some(kwalificaties[ci].crebo.as_str().into()),
            startdatum: Some(start.to_string()),
            geplande_einddatum: Some(eind.to_string()),
            leerweg_naam: Some(if bbl { "BBL" } else { "BOL" }.into()),
            keuzedeel_code: keuzedelen.random_bool(0.15).then(|| (*pick(&mut keuzedelen, KEUZEDELEN)).to_owned()),
            student: Some(StudentRecord {
                emailadres: email,
                studentcode: Some(studentcode.to_string()),
                naam: Some(naam),
            }),
            school: Some(SchoolRecord {
                schoolnaam: Some(schoolnaam),
                locatiecode: Some(locatiecode),
                aanbiedercode: Some(aanbiedercode),
            }),
        };
        let bpvo = Bpvo::try_from(&record)
            .map_err(|e| StoreError::Corrupt(format!("demo record {} is invalid: {e}", n + 1)))?;
        if bpvo.student.emailadres.is_some() {
            summary.bpvos_met_student_email += 1;
        }
        records.push(bpvo);
    }
    Ok(DemoBpvos { records, bedrijf_of, opleiders })
}

/// Keuzedelen with a bpv part, as the demo names them.
const KEUZEDELEN: &[&str] = &["K0021", "K0080", "K0125", "K0209", "K0540", "K0729", "K0803", "K1012"];

/// The rest of what the data-quality questions read, each from a stream of its own so the
/// other demo data stays as it was: keuzedelen on some bpvo's (most at a leerbedrijf erkend for
/// them), DUO's registration dates (mostly ahead of the start, some late, some missing, a few
/// bpvo's only DUO knows) and a year of deliveries of SBB's registers with some gaps.
fn seed_datakwaliteit(
    conn: &mut DbConnection,
    cfg: &SeedConfig,
    now: chrono::NaiveDateTime,
    demo: &DemoBpvos,
    bedrijven: &[(String, Vec<usize>)],
) -> Result<(), StoreError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0xda7a_c0de);
    let mut keuzedeel_erkend = HashSet::new();
    let mut erkenningen = Vec::new();
    let mut meldingen = Vec::new();
    for (b, &bi) in demo.records.iter().zip(&demo.bedrijf_of) {
        let aanbiedercode = b.school.aanbiedercode.as_str();
        let correlatie_id = b.correlatie_id.as_str();
        let start = b.periode.startdatum();
        if let Some(kd) = b.keuzedeel_code.as_ref().map(bpvo::KeuzedeelCode::as_str) {
            let leerbedrijf = &bedrijven[bi].0;
            if rng.random_bool(0.85) && keuzedeel_erkend.insert((leerbedrijf.clone(), kd)) {
                let van = start - Days::new(rng.random_range(30..1_500));
                let besloten = van - Days::new(rng.random_range(0..15));
                erkenningen.push(KeuzedeelErkenningRow {
                    id: new_id(),
                    leerbedrijf_id: leerbedrijf.clone(),
                    keuzedeel_code: kd.to_owned(),
                    geldig_van: van,
                    geldig_tot: None,
                    aangevraagd_op: Some(besloten - Days::new(rng.random_range(10..90))),
                    besloten_op: Some(besloten),
                });
            }
        }
        if rng.random_bool(0.93) {
            let offset = if rng.random_bool(0.8) { -rng.random_range(1..=45) } else { rng.random_range(0..=40) };
            let gemeld = (start + chrono::Duration::days(offset)).min(cfg.today);
            meldingen.push(DuoMeldingRow {
                aanbiedercode: aanbiedercode.to_owned(),
                correlatie_id: correlatie_id.to_owned(),
                startdatum: start,
                gemeld_op: gemeld,
                geimporteerd_op: now,
            });
        }
    }
    // A few only DUO knows: registered there, never sent to SBB.
    for (n, b) in demo.records.iter().enumerate().filter(|(n, _)| n % 200 == 7) {
        let start = b.periode.startdatum();
        meldingen.push(DuoMeldingRow {
            aanbiedercode: b.school.aanbiedercode.as_str().to_owned(),
            correlatie_id: format!("DUO-{:06}", n + 1),
            startdatum: start,
            gemeld_op: start - Days::new(rng.random_range(1..30)),
            geimporteerd_op: now,
        });
    }
    referentie::insert_keuzedeel_erkenningen(conn, &erkenningen)?;
    referentie::upsert_duo_meldingen(conn, &meldingen)?;
    // Erkenningen delivered on most working days, the kwalificaties twice a year.
    let mut dag = cfg.today - Days::new(400);
    while dag <= cfg.today {
        let werkdag = chrono::Datelike::weekday(&dag).number_from_monday() <= 5;
        if werkdag && rng.random_bool(0.9) {
            let at = dag.and_hms_opt(5, rng.random_range(0..60), 0).unwrap_or(now).min(now);
            referentie::record_levering(conn, "erkenningen", at)?;
        }
        if chrono::Datelike::day(&dag) == 1 && [1, 8].contains(&chrono::Datelike::month(&dag)) {
            referentie::record_levering(conn, "kwalificaties", dag.and_hms_opt(6, 0, 0).unwrap_or(now).min(now))?;
        }
        dag = dag + Days::new(1);
    }
    Ok(())
}

/// When each bpvo reached SBB: mostly some weeks ahead of the start, a fair share late, never
/// after today (for the data-quality view). A separate stream keeps the rest of the data as it was.
fn set_arrival_times(
    conn: &mut DbConnection,
    cfg: &SeedConfig,
    now: chrono::NaiveDateTime,
    outcomes: &[(String, bpvos::UpsertOutcome)],
    records: &[Bpvo],
) -> Result<(), StoreError> {
    let mut timing = StdRng::seed_from_u64(cfg.seed ^ 0x5eed_da7a);
    let registered: Vec<(String, chrono::NaiveDateTime)> = outcomes
        .iter()
        .zip(records)
        .map(|((id, _), b)| {
            let offset =
                if timing.random_bool(0.78) { -timing.random_range(1..=60) } else { timing.random_range(0..=75) };
            let day = (b.periode.startdatum() + chrono::Duration::days(offset)).min(cfg.today);
            let at =
                day.and_hms_opt(timing.random_range(7..=17), timing.random_range(0..60), 0).unwrap_or(now).min(now);
            (id.clone(), at)
        })
        .collect();
    // One statement per 10,000 bpvo's: every UPDATE of bpvos also runs the count trigger on
    // PostgreSQL once, and SQLite parsed a statement per bpvo anew.
    bpv_store::write_transaction(conn, |conn| bpvos::set_received_at(conn, &registered))?;
    Ok(())
}

/// SBB's own registration feed brings the praktijkopleider for most of them; returns how many.
fn seed_registraties(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    demo: &DemoBpvos,
    now: chrono::NaiveDateTime,
) -> Result<usize, StoreError> {
    let registraties: Vec<bpvos::Registratie> = demo
        .records
        .iter()
        .zip(&demo.bedrijf_of)
        .filter(|_| rng.random_bool(0.88))
        .map(|(b, &bi)| bpvos::Registratie {
            aanbiedercode: b.school.aanbiedercode.as_str().into(),
            correlatie_id: b.correlatie_id.as_str().into(),
            leerbedrijf_id: b.leerbedrijf_id.as_str().into(),
            crebo: b.crebo.as_str().into(),
            leerweg: b.leerweg.as_str().into(),
            startdatum: b.periode.startdatum(),
            geplande_einddatum: b.periode.geplande_einddatum(),
            werkelijke_einddatum: None,
            praktijkopleider_naam: Some(demo.opleiders[bi].0.clone()),
            praktijkopleider_email: Some(demo.opleiders[bi].1.clone()),
        })
        .collect();
    let (_, updated) = bpvos::merge_registraties(conn, &registraties, now)?;
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::mail_part;

    #[test]
    fn mail_parts_are_plain_ascii() {
        assert_eq!(mail_part("Zoë"), "zoe");
        assert_eq!(mail_part("Çelik"), "celik");
        assert_eq!(mail_part("El Amrani"), "elamrani");
        assert_eq!(mail_part("in 't"), "int");
        assert_eq!(mail_part("Aydın"), "aydin");
    }
}
