//! Data quality of the bpvo registrations: the six questions of SBB's *Dashboard datakwaliteit
//! BPVO*, per instelling, sector and domein, beside the national figures.
//!
//! 1. **Erkend leerbedrijf** — share of bpvo's at a leerbedrijf that held an erkenning for that
//!    crebo on the start date.
//! 2. **Keuzedeel erkend** — of the bpvo's that name a keuzedeel, the share at a leerbedrijf
//!    erkend for that keuzedeel on the start date.
//! 3. **Tijdig bij DUO en SBB** — share registered at DUO before the start date (DUO's own date,
//!    imported), share registered at SBB (first received by this system) before it, the median
//!    delay of each (days from start date to registration; negative: ahead), the share on time
//!    at both (the question's score), and the disagreements: bpvo's SBB holds that DUO does not
//!    know, and DUO registrations of bpvo's SBB does not hold.
//! 4. **White Label beschikbaar** — SBB's reference data (erkenningen register, kwalificaties)
//!    delivered to schools through this system: the share of days on which the last delivery of
//!    each register was at most its norm old ([`Normen`]). National: SBB's own service.
//! 5. **Erkenning op tijd** — erkenningen decided in the period: median days from application to
//!    decision and the share decided within the norm, per quarter of the decision (national); per
//!    instelling, the share of bpvo's that started before the erkenning they rely on was decided.
//! 6. **Geschikt voor het Stagefonds** — share of bpvo's whose registration holds everything the
//!    subsidy needs (erkend leerbedrijf on the start date, a registered crebo, leerweg, start and
//!    planned end date, registered before the end of the school year), the failing fields named.
//!
//! Besides: the share of bpvo's with a student email, for instellingen in the direct student
//! survey (over bpvo's whose contact data the retention purge has not removed).
//!
//! Pure functions over [`BpvoMeting`] rows and the national inputs of [`Meetset`]; the store reads
//! them, the reporting API and the quarterly photo serialise the same structures.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// The sector (and domein) name used for a crebo that is not in the kwalificaties list.
pub const ONBEKENDE_SECTOR: &str = "onbekend";

/// The reference registers whose delivery question 4 follows.
pub const REGISTERS: [&str; 2] = ["erkenningen", "kwalificaties"];

/// The norms of questions 4 and 5 (`datakwaliteit.*` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct Normen {
    /// Question 5: an erkenning decided within this many days of the application is on time.
    pub erkenning_norm_dagen: u32,
    /// Question 4: the erkenningen register is current while its last delivery is at most this
    /// many days old.
    pub erkenningen_max_dagen: u32,
    /// Question 4: the same for the kwalificaties register (it changes once or twice a year).
    pub kwalificaties_max_dagen: u32,
}

impl Default for Normen {
    fn default() -> Self {
        Self { erkenning_norm_dagen: 56, erkenningen_max_dagen: 7, kwalificaties_max_dagen: 400 }
    }
}

impl Normen {
    fn max_dagen(&self, register: &str) -> i64 {
        i64::from(if register == "kwalificaties" { self.kwalificaties_max_dagen } else { self.erkenningen_max_dagen })
    }
}

/// One bpvo as data quality sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BpvoMeting {
    pub brin: String,
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub leerbedrijf_id: String,
    pub crebo: String,
    /// `None` for a crebo not in the kwalificaties list.
    pub sector: Option<String>,
    /// `None` for a crebo not in the list or whose domein the list does not name.
    pub domein: Option<String>,
    /// `BOL` or `BBL` as stored (empty when unknown).
    pub leerweg: String,
    pub startdatum: NaiveDate,
    pub geplande_einddatum: NaiveDate,
    /// The day the bpvo first reached us (school upload or SBB registration).
    pub geregistreerd_op: NaiveDate,
    /// DUO's registration date, when DUO's file has this bpvo.
    pub duo_gemeld_op: Option<NaiveDate>,
    pub heeft_student_email: bool,
    /// The retention purge removed the contact data: the email indicator leaves it out.
    pub persoonsgegevens_verwijderd: bool,
    /// An erkenning for this leerbedrijf and crebo was valid on the start date.
    pub erkend: bool,
    /// The earliest decision date of the erkenningen valid on the start date, when SBB's file
    /// gives one.
    pub erkenning_besloten_op: Option<NaiveDate>,
    /// The keuzedeel whose bpv part the bpvo serves.
    pub keuzedeel_code: Option<String>,
    /// An erkenning for that keuzedeel was valid on the start date (false without keuzedeel).
    pub keuzedeel_erkend: bool,
}

impl BpvoMeting {
    /// Days from start date to registration; negative when registered ahead.
    pub fn vertraging_dagen(&self) -> i64 {
        (self.geregistreerd_op - self.startdatum).num_days()
    }

    /// Registered (at SBB) before the start date.
    pub fn tijdig(&self) -> bool {
        self.geregistreerd_op < self.startdatum
    }

    /// Days from start date to DUO's registration; `None` when DUO does not have it.
    pub fn duo_vertraging_dagen(&self) -> Option<i64> {
        self.duo_gemeld_op.map(|d| (d - self.startdatum).num_days())
    }

    /// Registered at DUO before the start date.
    pub fn duo_tijdig(&self) -> bool {
        self.duo_gemeld_op.is_some_and(|d| d < self.startdatum)
    }

    /// Started before the erkenning it relies on was decided (a retroactive erkenning).
    pub fn gestart_voor_besluit(&self) -> bool {
        self.erkenning_besloten_op.is_some_and(|b| b > self.startdatum)
    }

    /// What the Stagefonds needs and this registration lacks (empty: fit for the subsidy).
    pub fn stagefonds_tekort(&self) -> Vec<&'static str> {
        STAGEFONDS_EISEN.iter().filter(|(_, voldaan)| !voldaan(self)).map(|(veld, _)| *veld).collect()
    }

    /// Fit for the Stagefonds: [`Self::stagefonds_tekort`] is empty (without building the list,
    /// as the indicators ask it of every bpvo several times).
    pub fn stagefonds_geschikt(&self) -> bool {
        STAGEFONDS_EISEN.iter().all(|(_, voldaan)| voldaan(self))
    }

    fn sector(&self) -> &str {
        self.sector.as_deref().unwrap_or(ONBEKENDE_SECTOR)
    }

    fn domein(&self) -> &str {
        self.domein.as_deref().unwrap_or(ONBEKENDE_SECTOR)
    }
}

/// A requirement of the Stagefonds: the field named when it fails, and the check.
type Eis = (&'static str, fn(&BpvoMeting) -> bool);

/// What the Stagefonds needs of a registration.
const STAGEFONDS_EISEN: [Eis; 5] = [
    ("erkenning", |r| r.erkend),
    ("crebo", |r| r.sector.is_some()),
    ("leerweg", |r| matches!(r.leerweg.as_str(), "BOL" | "BBL")),
    ("geplandeEinddatum", |r| r.geplande_einddatum >= r.startdatum),
    ("registratiedatum", |r| r.geregistreerd_op <= einde_schooljaar(r.startdatum)),
];

/// The last day of the school year (1 August – 31 July) that `dag` falls in.
pub fn einde_schooljaar(dag: NaiveDate) -> NaiveDate {
    let jaar = if dag.month() >= 8 { dag.year() + 1 } else { dag.year() };
    NaiveDate::from_ymd_opt(jaar, 7, 31).unwrap_or(dag)
}

/// A DUO registration of a bpvo that SBB does not hold (question 3's other disagreement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DuoMelding {
    #[serde(skip)]
    pub brin: String,
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub startdatum: NaiveDate,
    pub gemeld_op: NaiveDate,
}

/// An erkenning decision (question 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Besluit {
    pub aangevraagd_op: NaiveDate,
    pub besloten_op: NaiveDate,
}

/// One delivery of a reference register (question 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levering {
    pub register: String,
    pub geleverd_op: NaiveDateTime,
}

/// Everything the indicators of one peildatum are computed from.
#[derive(Debug, Clone, Default)]
pub struct Meetset {
    /// Bpvo's that started in the period, withdrawn ones left out.
    pub rijen: Vec<BpvoMeting>,
    /// DUO registrations of bpvo's not held, that started in the period.
    pub alleen_bij_duo: Vec<DuoMelding>,
    /// Erkenning decisions taken in the period.
    pub besluiten: Vec<Besluit>,
    /// Every delivery of a reference register up to the end of the period.
    pub leveringen: Vec<Levering>,
}

/// `teller` of `noemer`, and the percentage (one decimal; null when there is nothing to count).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Aandeel {
    pub teller: u64,
    pub noemer: u64,
    pub percentage: Option<f64>,
}

impl Aandeel {
    /// `teller / noemer` as a percentage with one decimal.
    pub fn new(teller: u64, noemer: u64) -> Self {
        let percentage = (noemer > 0).then(|| crate::format::round_half_up(teller as f64 * 100.0 / noemer as f64, 1));
        Self { teller, noemer, percentage }
    }
}

/// The indicators over a set of bpvo's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicatoren {
    /// Bpvo's counted.
    pub aantal: u64,
    /// Question 1.
    pub erkend: Aandeel,
    /// Question 2: over the bpvo's that name a keuzedeel.
    pub keuzedeel_erkend: Aandeel,
    /// Question 3: registered at SBB before the start date.
    pub tijdig_geregistreerd: Aandeel,
    /// Median of [`BpvoMeting::vertraging_dagen`]; null without bpvo's.
    pub mediaan_vertraging_dagen: Option<f64>,
    /// Question 3: registered at DUO before the start date.
    pub tijdig_bij_duo: Aandeel,
    /// Median of [`BpvoMeting::duo_vertraging_dagen`] over the bpvo's DUO has; null without.
    pub mediaan_vertraging_duo_dagen: Option<f64>,
    /// Question 3's score: on time at both.
    pub tijdig_bij_duo_en_sbb: Aandeel,
    /// Question 3: held by SBB, unknown to DUO.
    pub onbekend_bij_duo: u64,
    /// Question 3: registered at DUO, not held by SBB (only in an instelling's and the national
    /// totals: such a registration has no crebo to place it in a sector).
    pub alleen_bij_duo: u64,
    /// Question 5: started before the erkenning they rely on was decided.
    pub gestart_voor_erkenningsbesluit: Aandeel,
    /// Question 6.
    pub stagefonds: Aandeel,
    /// Null when the instelling(en) do not take part in the direct student survey.
    pub student_email: Option<Aandeel>,
}

/// The indicators over `rows` and `alleen_bij_duo` DUO-only registrations; `email_telt(brin)`
/// says whether an instelling takes part in the direct student survey (only its bpvo's count
/// for the email indicator).
pub fn indicatoren<'a>(
    rows: impl IntoIterator<Item = &'a BpvoMeting>,
    alleen_bij_duo: u64,
    email_telt: &dyn Fn(&str) -> bool,
) -> Indicatoren {
    let (mut aantal, mut erkend, mut tijdig, mut duo, mut beide, mut onbekend) = (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut keuzedelen, mut keuzedeel_erkend, mut voor_besluit, mut stagefonds) = (0u64, 0u64, 0u64, 0u64);
    let (mut email_noemer, mut email_teller, mut email_van_toepassing) = (0u64, 0u64, false);
    let (mut vertragingen, mut duo_vertragingen) = (Vec::new(), Vec::new());
    for r in rows {
        aantal += 1;
        erkend += u64::from(r.erkend);
        tijdig += u64::from(r.tijdig());
        duo += u64::from(r.duo_tijdig());
        beide += u64::from(r.tijdig() && r.duo_tijdig());
        vertragingen.push(r.vertraging_dagen());
        match r.duo_vertraging_dagen() {
            Some(d) => duo_vertragingen.push(d),
            None => onbekend += 1,
        }
        if r.keuzedeel_code.is_some() {
            keuzedelen += 1;
            keuzedeel_erkend += u64::from(r.keuzedeel_erkend);
        }
        voor_besluit += u64::from(r.gestart_voor_besluit());
        stagefonds += u64::from(r.stagefonds_geschikt());
        if email_telt(&r.brin) {
            email_van_toepassing = true;
            if !r.persoonsgegevens_verwijderd {
                email_noemer += 1;
                email_teller += u64::from(r.heeft_student_email);
            }
        }
    }
    Indicatoren {
        aantal,
        erkend: Aandeel::new(erkend, aantal),
        keuzedeel_erkend: Aandeel::new(keuzedeel_erkend, keuzedelen),
        tijdig_geregistreerd: Aandeel::new(tijdig, aantal),
        mediaan_vertraging_dagen: mediaan(&mut vertragingen),
        tijdig_bij_duo: Aandeel::new(duo, aantal),
        mediaan_vertraging_duo_dagen: mediaan(&mut duo_vertragingen),
        tijdig_bij_duo_en_sbb: Aandeel::new(beide, aantal),
        onbekend_bij_duo: onbekend,
        alleen_bij_duo,
        gestart_voor_erkenningsbesluit: Aandeel::new(voor_besluit, aantal),
        stagefonds: Aandeel::new(stagefonds, aantal),
        student_email: email_van_toepassing.then(|| Aandeel::new(email_teller, email_noemer)),
    }
}

/// The median; the mean of the middle two for an even count.
pub fn mediaan(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] as f64 } else { (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0 })
}

/// Indicators for one sector.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectorIndicatoren {
    pub sector: String,
    #[serde(flatten)]
    pub indicatoren: Indicatoren,
}

/// Indicators for one domein.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomeinIndicatoren {
    pub domein: String,
    #[serde(flatten)]
    pub indicatoren: Indicatoren,
}

fn groepen<'a>(
    rows: impl IntoIterator<Item = &'a BpvoMeting>,
    key: fn(&'a BpvoMeting) -> &'a str,
    email_telt: &dyn Fn(&str) -> bool,
) -> Vec<(String, Indicatoren)> {
    let mut groups: BTreeMap<&str, Vec<&BpvoMeting>> = BTreeMap::new();
    for r in rows {
        groups.entry(key(r)).or_default().push(r);
    }
    groups.into_iter().map(|(naam, rs)| (naam.to_owned(), indicatoren(rs, 0, email_telt))).collect()
}

/// The indicators per sector (sorted by name; [`ONBEKENDE_SECTOR`] for unknown crebo's).
pub fn per_sector<'a>(
    rows: impl IntoIterator<Item = &'a BpvoMeting>,
    email_telt: &dyn Fn(&str) -> bool,
) -> Vec<SectorIndicatoren> {
    groepen(rows, BpvoMeting::sector, email_telt)
        .into_iter()
        .map(|(sector, indicatoren)| SectorIndicatoren { sector, indicatoren })
        .collect()
}

/// The indicators per domein (sorted by name; [`ONBEKENDE_SECTOR`] for crebo's without one).
pub fn per_domein<'a>(
    rows: impl IntoIterator<Item = &'a BpvoMeting>,
    email_telt: &dyn Fn(&str) -> bool,
) -> Vec<DomeinIndicatoren> {
    groepen(rows, BpvoMeting::domein, email_telt)
        .into_iter()
        .map(|(domein, indicatoren)| DomeinIndicatoren { domein, indicatoren })
        .collect()
}

/// An instelling as the indicators need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deelnemer {
    pub brin: String,
    pub naam: String,
    /// Takes part in the direct student survey.
    pub directe_studentbevraging: bool,
}

/// One instelling's indicators, in all, per sector and per domein: what the API shows and a
/// photo keeps.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstellingKwaliteit {
    pub brin: String,
    pub naam: String,
    pub directe_studentbevraging: bool,
    pub totaal: Indicatoren,
    pub per_sector: Vec<SectorIndicatoren>,
    pub per_domein: Vec<DomeinIndicatoren>,
}

/// The indicators of each instelling in `instellingen` (in that order; one without bpvo's gets
/// zero counts and null percentages).
pub fn per_instelling(
    rows: &[BpvoMeting],
    alleen_bij_duo: &[DuoMelding],
    instellingen: &[Deelnemer],
) -> Vec<InstellingKwaliteit> {
    let mut by_brin: BTreeMap<&str, Vec<&BpvoMeting>> = BTreeMap::new();
    for r in rows {
        by_brin.entry(r.brin.as_str()).or_default().push(r);
    }
    let mut duo: BTreeMap<&str, u64> = BTreeMap::new();
    for m in alleen_bij_duo {
        *duo.entry(m.brin.as_str()).or_default() += 1;
    }
    instellingen
        .iter()
        .map(|i| {
            let rs = by_brin.get(i.brin.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let telt = |_: &str| i.directe_studentbevraging;
            let mut totaal = indicatoren(rs.iter().copied(), duo.get(i.brin.as_str()).copied().unwrap_or(0), &telt);
            if i.directe_studentbevraging && totaal.student_email.is_none() {
                totaal.student_email = Some(Aandeel::new(0, 0));
            }
            InstellingKwaliteit {
                brin: i.brin.clone(),
                naam: i.naam.clone(),
                directe_studentbevraging: i.directe_studentbevraging,
                totaal,
                per_sector: per_sector(rs.iter().copied(), &telt),
                per_domein: per_domein(rs.iter().copied(), &telt),
            }
        })
        .collect()
}

/// Question 4 or 5 over one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KwartaalCijfer {
    /// `2026-K3`; `totaal` for the whole period.
    pub kwartaal: String,
    /// Question 4: days on which every register was current. Question 5: erkenningen decided
    /// within the norm.
    pub aandeel: Aandeel,
    /// Question 5 only: median days from application to decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mediaan_dagen: Option<f64>,
}

/// Question 4: how current SBB's reference data was, per quarter of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Referentiedata {
    pub per_kwartaal: Vec<KwartaalCijfer>,
    pub totaal: KwartaalCijfer,
    /// The last delivery of each register up to the end of the period (null: never).
    pub laatste_levering: BTreeMap<String, Option<NaiveDateTime>>,
    pub max_dagen: BTreeMap<String, u32>,
}

/// Question 5 nationally: erkenning decisions per quarter of the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Erkenningsbesluiten {
    pub per_kwartaal: Vec<KwartaalCijfer>,
    pub totaal: KwartaalCijfer,
    pub norm_dagen: u32,
}

/// SBB's own service (questions 4 and 5): national, the same beside every instelling.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SbbKwaliteit {
    pub referentiedata: Referentiedata,
    pub erkenningsbesluiten: Erkenningsbesluiten,
}

/// `2026-K3` for a day in the third quarter of 2026.
pub fn kwartaal_van(dag: NaiveDate) -> String {
    format!("{}-K{}", dag.year(), dag.month0() / 3 + 1)
}

/// Questions 4 and 5 over `van ..= tot_en_met`.
pub fn sbb(meetset: &Meetset, van: NaiveDate, tot_en_met: NaiveDate, normen: &Normen) -> SbbKwaliteit {
    SbbKwaliteit {
        referentiedata: referentiedata(&meetset.leveringen, van, tot_en_met, normen),
        erkenningsbesluiten: erkenningsbesluiten(&meetset.besluiten, van, tot_en_met, normen),
    }
}

fn referentiedata(leveringen: &[Levering], van: NaiveDate, tot_en_met: NaiveDate, normen: &Normen) -> Referentiedata {
    // Per register its delivery days, sorted.
    let mut dagen: BTreeMap<&str, Vec<NaiveDate>> = REGISTERS.iter().map(|r| (*r, Vec::new())).collect();
    for l in leveringen {
        if let Some(list) = dagen.get_mut(l.register.as_str()) {
            list.push(l.geleverd_op.date());
        }
    }
    for list in dagen.values_mut() {
        list.sort_unstable();
    }
    let mut per: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut actueel, mut totaal) = (0u64, 0u64);
    let mut dag = van;
    while dag <= tot_en_met {
        let ok = dagen.iter().all(|(register, list)| {
            let n = list.partition_point(|d| *d <= dag);
            n > 0 && (dag - list[n - 1]).num_days() <= normen.max_dagen(register)
        });
        let e = per.entry(kwartaal_van(dag)).or_default();
        e.0 += u64::from(ok);
        e.1 += 1;
        actueel += u64::from(ok);
        totaal += 1;
        let Some(next) = dag.succ_opt() else { break };
        dag = next;
    }
    let laatste = leveringen.iter().filter(|l| l.geleverd_op.date() <= tot_en_met).fold(
        BTreeMap::new(),
        |mut m: BTreeMap<String, Option<NaiveDateTime>>, l| {
            let e = m.entry(l.register.clone()).or_default();
            *e = (*e).max(Some(l.geleverd_op));
            m
        },
    );
    Referentiedata {
        per_kwartaal: per
            .into_iter()
            .map(|(kwartaal, (t, n))| KwartaalCijfer { kwartaal, aandeel: Aandeel::new(t, n), mediaan_dagen: None })
            .collect(),
        totaal: KwartaalCijfer {
            kwartaal: "totaal".into(),
            aandeel: Aandeel::new(actueel, totaal),
            mediaan_dagen: None,
        },
        laatste_levering: REGISTERS.iter().map(|r| ((*r).to_owned(), laatste.get(*r).copied().flatten())).collect(),
        max_dagen: REGISTERS
            .iter()
            .map(|r| ((*r).to_owned(), u32::try_from(normen.max_dagen(r)).unwrap_or(u32::MAX)))
            .collect(),
    }
}

fn erkenningsbesluiten(
    besluiten: &[Besluit],
    van: NaiveDate,
    tot_en_met: NaiveDate,
    normen: &Normen,
) -> Erkenningsbesluiten {
    let norm = i64::from(normen.erkenning_norm_dagen);
    let cijfer = |kwartaal: String, list: &[i64]| {
        let binnen = list.iter().filter(|d| **d <= norm).count() as u64;
        KwartaalCijfer {
            kwartaal,
            aandeel: Aandeel::new(binnen, list.len() as u64),
            mediaan_dagen: mediaan(&mut list.to_vec()),
        }
    };
    let mut per: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut alle = Vec::new();
    for b in besluiten.iter().filter(|b| b.besloten_op >= van && b.besloten_op <= tot_en_met) {
        let dagen = (b.besloten_op - b.aangevraagd_op).num_days();
        per.entry(kwartaal_van(b.besloten_op)).or_default().push(dagen);
        alle.push(dagen);
    }
    Erkenningsbesluiten {
        per_kwartaal: per.into_iter().map(|(k, list)| cijfer(k, &list)).collect(),
        totaal: cijfer("totaal".into(), &alle),
        norm_dagen: normen.erkenning_norm_dagen,
    }
}

/// One question's total score: the share that answers it well.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VraagScore {
    pub nummer: u8,
    pub vraag: &'static str,
    pub score: Aandeel,
}

/// The six questions.
pub const VRAGEN: [&str; 6] = [
    "Is de bpvo afgesloten bij een erkend leerbedrijf?",
    "Is de bpvo voor een keuzedeel afgesloten bij een leerbedrijf dat daarvoor erkend is?",
    "Is de bpvo tijdig geregistreerd bij DUO en bij SBB?",
    "Stelt SBB White Label (de referentiedata) beschikbaar?",
    "Erkent SBB nieuwe leerbedrijven op tijd?",
    "Is de registratie geschikt voor het Stagefonds?",
];

/// The score of each question for an instelling's (or the national) indicators.
pub fn scores(i: &Indicatoren, sbb: &SbbKwaliteit) -> Vec<VraagScore> {
    let score = [
        i.erkend.clone(),
        i.keuzedeel_erkend.clone(),
        i.tijdig_bij_duo_en_sbb.clone(),
        sbb.referentiedata.totaal.aandeel.clone(),
        sbb.erkenningsbesluiten.totaal.aandeel.clone(),
        i.stagefonds.clone(),
    ];
    VRAGEN
        .iter()
        .zip(score)
        .enumerate()
        .map(|(n, (vraag, score))| VraagScore { nummer: u8::try_from(n + 1).unwrap_or(0), vraag, score })
        .collect()
}

/// One record behind a failing indicator (for the school itself only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Afwijking {
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub leerbedrijf_id: String,
    pub crebo: String,
    pub startdatum: NaiveDate,
    pub geregistreerd_op: NaiveDate,
    pub vertraging_dagen: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keuzedeel_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duo_gemeld_op: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erkenning_besloten_op: Option<NaiveDate>,
    /// Question 6: what the registration lacks for the Stagefonds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ontbreekt: Vec<&'static str>,
}

impl Afwijking {
    fn of(r: &BpvoMeting) -> Self {
        Self {
            aanbiedercode: r.aanbiedercode.clone(),
            correlatie_id: r.correlatie_id.clone(),
            leerbedrijf_id: r.leerbedrijf_id.clone(),
            crebo: r.crebo.clone(),
            startdatum: r.startdatum,
            geregistreerd_op: r.geregistreerd_op,
            vertraging_dagen: r.vertraging_dagen(),
            keuzedeel_code: r.keuzedeel_code.clone(),
            duo_gemeld_op: r.duo_gemeld_op,
            erkenning_besloten_op: r.erkenning_besloten_op,
            ontbreekt: Vec::new(),
        }
    }
}

/// The records behind each indicator that fails them: the school's meldingen per question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Afwijkingen {
    /// Question 1: no erkenning for the crebo on the start date.
    pub niet_erkend: Vec<Afwijking>,
    /// Question 2: no erkenning for the keuzedeel on the start date.
    pub keuzedeel_niet_erkend: Vec<Afwijking>,
    /// Question 3: registered at SBB on or after the start date.
    pub niet_tijdig_geregistreerd: Vec<Afwijking>,
    /// Question 3: registered at DUO on or after the start date.
    pub niet_tijdig_bij_duo: Vec<Afwijking>,
    /// Question 3: held by SBB, unknown to DUO.
    pub onbekend_bij_duo: Vec<Afwijking>,
    /// Question 3: registered at DUO, not held by SBB.
    pub alleen_bij_duo: Vec<DuoMelding>,
    /// Question 5: started before the erkenning was decided.
    pub gestart_voor_erkenningsbesluit: Vec<Afwijking>,
    /// Question 6: not fit for the Stagefonds, with what is missing.
    pub niet_geschikt_voor_stagefonds: Vec<Afwijking>,
    /// No student email although the instelling takes part (empty when it does not).
    pub zonder_student_email: Vec<Afwijking>,
}

/// The failing records of one instelling's rows and DUO-only registrations.
pub fn afwijkingen(rows: &[BpvoMeting], alleen_bij_duo: &[DuoMelding], directe_studentbevraging: bool) -> Afwijkingen {
    let mut out = Afwijkingen { alleen_bij_duo: alleen_bij_duo.to_vec(), ..Afwijkingen::default() };
    for r in rows {
        if !r.erkend {
            out.niet_erkend.push(Afwijking::of(r));
        }
        if r.keuzedeel_code.is_some() && !r.keuzedeel_erkend {
            out.keuzedeel_niet_erkend.push(Afwijking::of(r));
        }
        if !r.tijdig() {
            out.niet_tijdig_geregistreerd.push(Afwijking::of(r));
        }
        match r.duo_gemeld_op {
            None => out.onbekend_bij_duo.push(Afwijking::of(r)),
            Some(_) if !r.duo_tijdig() => out.niet_tijdig_bij_duo.push(Afwijking::of(r)),
            Some(_) => {}
        }
        if r.gestart_voor_besluit() {
            out.gestart_voor_erkenningsbesluit.push(Afwijking::of(r));
        }
        let tekort = r.stagefonds_tekort();
        if !tekort.is_empty() {
            out.niet_geschikt_voor_stagefonds.push(Afwijking { ontbreekt: tekort, ..Afwijking::of(r) });
        }
        if directe_studentbevraging && !r.persoonsgegevens_verwijderd && !r.heeft_student_email {
            out.zonder_student_email.push(Afwijking::of(r));
        }
    }
    out
}

/// The period a data-quality view on `peildatum` covers: bpvo's that started in the year before
/// it (`peildatum` − 12 months ..= `peildatum` − 1 day).
pub fn periode(peildatum: NaiveDate) -> (NaiveDate, NaiveDate) {
    let van = peildatum.checked_sub_months(chrono::Months::new(12)).unwrap_or(peildatum);
    (van, peildatum.pred_opt().unwrap_or(peildatum))
}

/// The quarter a photo taken on `dag` is of: the last one that ended before `dag`, as `2026-K3`,
/// with its peildatum (the first day after it). Any day of a quarter gives the previous quarter,
/// so a late or repeated run photographs the same quarter as the cron run on its first day.
pub fn kwartaal(dag: NaiveDate) -> (String, NaiveDate) {
    let eerste_maand = dag.month0() / 3 * 3 + 1;
    let peildatum = NaiveDate::from_ymd_opt(dag.year(), eerste_maand, 1).unwrap_or(dag);
    let laatste = peildatum.pred_opt().unwrap_or(peildatum);
    (kwartaal_van(laatste), peildatum)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rij(
        brin: &str,
        sector: Option<&str>,
        start: &str,
        geregistreerd: &str,
        erkend: bool,
        email: bool,
    ) -> BpvoMeting {
        BpvoMeting {
            brin: brin.into(),
            aanbiedercode: "100A100".into(),
            correlatie_id: format!("{brin}-{start}-{geregistreerd}"),
            leerbedrijf_id: "100200300".into(),
            crebo: "25180".into(),
            sector: sector.map(str::to_owned),
            domein: sector.map(|s| format!("domein {s}")),
            leerweg: "BOL".into(),
            startdatum: d(start),
            geplande_einddatum: d(start) + chrono::Days::new(100),
            geregistreerd_op: d(geregistreerd),
            duo_gemeld_op: None,
            heeft_student_email: email,
            persoonsgegevens_verwijderd: false,
            erkend,
            erkenning_besloten_op: None,
            keuzedeel_code: None,
            keuzedeel_erkend: false,
        }
    }

    #[test]
    fn indicators_by_hand() {
        // delays: -10, 0, +3, +20 → median (0 + 3) / 2 = 1.5; tijdig: only the first (0 is not before)
        let rows = [
            rij("11AA", Some("Zorg"), "2026-02-11", "2026-02-01", true, true),
            rij("11AA", Some("Zorg"), "2026-02-01", "2026-02-01", true, false),
            rij("11AA", Some("Techniek"), "2026-02-01", "2026-02-04", false, true),
            rij("11AA", None, "2026-01-01", "2026-01-21", false, true),
        ];
        let i = indicatoren(&rows, 0, &|_| true);
        assert_eq!(i.aantal, 4);
        assert_eq!(i.erkend, Aandeel { teller: 2, noemer: 4, percentage: Some(50.0) });
        assert_eq!(i.tijdig_geregistreerd, Aandeel { teller: 1, noemer: 4, percentage: Some(25.0) });
        assert_eq!(i.mediaan_vertraging_dagen, Some(1.5));
        assert_eq!(i.student_email, Some(Aandeel { teller: 3, noemer: 4, percentage: Some(75.0) }));
        assert_eq!(indicatoren(&rows, 0, &|_| false).student_email, None);

        let sectors = per_sector(&rows, &|_| true);
        let names: Vec<&str> = sectors.iter().map(|s| s.sector.as_str()).collect();
        assert_eq!(names, ["Techniek", "Zorg", "onbekend"]);
        assert_eq!(sectors[1].indicatoren.erkend.percentage, Some(100.0));
        assert_eq!(sectors[1].indicatoren.mediaan_vertraging_dagen, Some(-5.0));

        let a = afwijkingen(&rows, &[], true);
        assert_eq!(a.niet_erkend.len(), 2);
        assert_eq!(a.niet_tijdig_geregistreerd.len(), 3);
        assert_eq!(a.zonder_student_email.len(), 1);
        assert_eq!(a.zonder_student_email[0].startdatum, d("2026-02-01"));
        assert!(afwijkingen(&rows, &[], false).zonder_student_email.is_empty());
    }

    #[test]
    fn purged_rows_leave_the_email_indicator_and_thirds_round() {
        let mut rows = vec![
            rij("11AA", None, "2026-02-11", "2026-02-01", true, true),
            rij("11AA", None, "2026-02-11", "2026-02-01", true, false),
            rij("11AA", None, "2026-02-11", "2026-02-01", true, false),
        ];
        assert_eq!(indicatoren(&rows, 0, &|_| true).student_email.unwrap().percentage, Some(33.3));
        rows[1].persoonsgegevens_verwijderd = true;
        let e = indicatoren(&rows, 0, &|_| true).student_email.unwrap();
        assert_eq!((e.teller, e.noemer, e.percentage), (1, 2, Some(50.0)));
    }

    #[test]
    fn empty_instelling_has_no_percentages() {
        let list = per_instelling(
            &[],
            &[],
            &[Deelnemer { brin: "11AA".into(), naam: "ROC".into(), directe_studentbevraging: true }],
        );
        assert_eq!(list[0].totaal.aantal, 0);
        assert_eq!(list[0].totaal.erkend.percentage, None);
        assert_eq!(list[0].totaal.mediaan_vertraging_dagen, None);
        assert_eq!(list[0].totaal.student_email, Some(Aandeel::new(0, 0)));
        assert!(list[0].per_sector.is_empty());
        assert!(list[0].per_domein.is_empty());
        assert_eq!(list[0].totaal.keuzedeel_erkend.percentage, None);
    }

    #[test]
    fn questions_two_three_five_and_six_by_hand() {
        // Four bpvo's of 11AA starting 2026-03-01, registered at SBB on 2026-02-20 unless said.
        let mut a = rij("11AA", Some("Zorg"), "2026-03-01", "2026-02-20", true, true);
        a.keuzedeel_code = Some("K0125".into());
        a.keuzedeel_erkend = true;
        a.duo_gemeld_op = Some(d("2026-02-25")); // DUO 4 days ahead: on time at both
        a.erkenning_besloten_op = Some(d("2025-06-01"));
        let mut b = rij("11AA", Some("Zorg"), "2026-03-01", "2026-03-05", true, true);
        b.keuzedeel_code = Some("K0200".into()); // keuzedeel not erkend
        b.duo_gemeld_op = Some(d("2026-03-11")); // DUO +10, SBB +4
        b.erkenning_besloten_op = Some(d("2026-03-15")); // erkend retroactively
        let mut c = rij("11AA", None, "2026-03-01", "2026-02-01", false, true); // unknown crebo, not erkend
        c.duo_gemeld_op = Some(d("2026-02-01")); // DUO −28
        c.leerweg = String::new();
        let d4 = rij("11AA", Some("Techniek"), "2026-03-01", "2026-08-01", true, true); // after 31 July, no DUO

        let rows = [a, b, c, d4];
        let i = indicatoren(&rows, 3, &|_| false);
        assert_eq!(i.keuzedeel_erkend, Aandeel::new(1, 2));
        assert_eq!(i.keuzedeel_erkend.percentage, Some(50.0));
        // SBB: a and c ahead → 2 of 4; delays −9, +4, −28, +153 → median (−9 + 4) / 2
        assert_eq!(i.tijdig_geregistreerd, Aandeel::new(2, 4));
        assert_eq!(i.mediaan_vertraging_dagen, Some(-2.5));
        // DUO: a (−4) and c (−28) ahead, b +10, d unknown → 2 of 4; median of −28, −4, +10 = −4
        assert_eq!(i.tijdig_bij_duo, Aandeel::new(2, 4));
        assert_eq!(i.mediaan_vertraging_duo_dagen, Some(-4.0));
        assert_eq!(i.tijdig_bij_duo_en_sbb, Aandeel::new(2, 4));
        assert_eq!((i.onbekend_bij_duo, i.alleen_bij_duo), (1, 3));
        assert_eq!(i.gestart_voor_erkenningsbesluit, Aandeel::new(1, 4));
        // Stagefonds: a and b fit; c lacks erkenning, crebo and leerweg; d registered too late
        assert_eq!(i.stagefonds, Aandeel::new(2, 4));

        let duo_only = [DuoMelding {
            brin: "11AA".into(),
            aanbiedercode: "100A100".into(),
            correlatie_id: "X-1".into(),
            startdatum: d("2026-02-01"),
            gemeld_op: d("2026-01-10"),
        }];
        let af = afwijkingen(&rows, &duo_only, false);
        assert_eq!(af.keuzedeel_niet_erkend.len(), 1);
        assert_eq!(af.keuzedeel_niet_erkend[0].keuzedeel_code.as_deref(), Some("K0200"));
        assert_eq!(af.niet_tijdig_bij_duo.len(), 1);
        assert_eq!(af.onbekend_bij_duo.len(), 1);
        assert_eq!(af.alleen_bij_duo, duo_only);
        assert_eq!(af.gestart_voor_erkenningsbesluit[0].erkenning_besloten_op, Some(d("2026-03-15")));
        let tekort: Vec<Vec<&str>> = af.niet_geschikt_voor_stagefonds.iter().map(|a| a.ontbreekt.clone()).collect();
        assert_eq!(tekort, [vec!["erkenning", "crebo", "leerweg"], vec!["registratiedatum"]]);

        let domeinen: Vec<String> = per_domein(&rows, &|_| false).into_iter().map(|g| g.domein).collect();
        assert_eq!(domeinen, ["domein Techniek", "domein Zorg", "onbekend"]);
        assert_eq!(per_instelling(&rows, &duo_only, &[]).len(), 0);
        let deelnemer = Deelnemer { brin: "11AA".into(), naam: "ROC".into(), directe_studentbevraging: false };
        assert_eq!(per_instelling(&rows, &duo_only, &[deelnemer])[0].totaal.alleen_bij_duo, 1);
    }

    #[test]
    fn school_year_ends_on_31_july() {
        assert_eq!(einde_schooljaar(d("2026-08-01")), d("2027-07-31"));
        assert_eq!(einde_schooljaar(d("2026-07-31")), d("2026-07-31"));
        assert_eq!(einde_schooljaar(d("2026-01-15")), d("2026-07-31"));
    }

    #[test]
    fn question_four_counts_current_days_per_quarter() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let normen = Normen { erkenningen_max_dagen: 7, kwalificaties_max_dagen: 400, erkenning_norm_dagen: 56 };
        let meetset = Meetset {
            leveringen: vec![
                Levering { register: "kwalificaties".into(), geleverd_op: t("2026-01-01 08:00") },
                Levering { register: "erkenningen".into(), geleverd_op: t("2026-03-25 23:59") },
                Levering { register: "erkenningen".into(), geleverd_op: t("2026-04-05 06:00") },
            ],
            ..Meetset::default()
        };
        // 2026-03-20 ..= 2026-04-19: erkenningen current 03-25 ..= 04-01 (8 days) and 04-05 ..= 04-12
        // (8 days); kwalificaties current throughout.
        let r = sbb(&meetset, d("2026-03-20"), d("2026-04-19"), &normen).referentiedata;
        assert_eq!(r.totaal.aandeel, Aandeel::new(16, 31));
        assert_eq!(
            r.per_kwartaal[0],
            KwartaalCijfer { kwartaal: "2026-K1".into(), aandeel: Aandeel::new(7, 12), mediaan_dagen: None }
        );
        assert_eq!(r.per_kwartaal[1].aandeel, Aandeel::new(9, 19));
        assert_eq!(r.laatste_levering["erkenningen"], Some(t("2026-04-05 06:00")));
        // Without any kwalificaties delivery no day is current.
        let zonder = Meetset { leveringen: meetset.leveringen[1..].to_vec(), ..Meetset::default() };
        assert_eq!(
            sbb(&zonder, d("2026-03-20"), d("2026-04-19"), &normen).referentiedata.totaal.aandeel,
            Aandeel::new(0, 31)
        );
    }

    #[test]
    fn question_five_medians_and_norm_per_quarter() {
        let b = |a: &str, z: &str| Besluit { aangevraagd_op: d(a), besloten_op: d(z) };
        let meetset = Meetset {
            besluiten: vec![
                b("2026-01-01", "2026-01-31"), // 30 days, K1
                b("2026-01-01", "2026-03-31"), // 89 days, K1
                b("2026-03-01", "2026-04-26"), // 56 days (the norm itself), K2
                b("2025-01-01", "2025-12-31"), // outside the period
            ],
            ..Meetset::default()
        };
        let e = sbb(&meetset, d("2026-01-01"), d("2026-06-30"), &Normen::default()).erkenningsbesluiten;
        assert_eq!(e.per_kwartaal.len(), 2);
        assert_eq!(e.per_kwartaal[0].kwartaal, "2026-K1");
        assert_eq!(e.per_kwartaal[0].mediaan_dagen, Some(59.5));
        assert_eq!(e.per_kwartaal[0].aandeel, Aandeel::new(1, 2));
        assert_eq!(e.per_kwartaal[1].aandeel, Aandeel::new(1, 1));
        assert_eq!(e.totaal.mediaan_dagen, Some(56.0));
        assert_eq!(e.totaal.aandeel.percentage, Some(66.7));
        let s = scores(
            &indicatoren(&[], 0, &|_| false),
            &sbb(&meetset, d("2026-01-01"), d("2026-06-30"), &Normen::default()),
        );
        assert_eq!(s.len(), 6);
        assert_eq!(s[4].score.percentage, Some(66.7));
        assert_eq!(s[0].score.percentage, None);
    }

    #[test]
    fn quarter_is_the_one_that_just_ended() {
        assert_eq!(kwartaal(d("2027-01-01")), ("2026-K4".into(), d("2027-01-01")));
        assert_eq!(kwartaal(d("2026-04-01")), ("2026-K1".into(), d("2026-04-01")));
        assert_eq!(kwartaal(d("2026-05-15")), ("2026-K1".into(), d("2026-04-01")));
        assert_eq!(kwartaal(d("2026-12-31")), ("2026-K3".into(), d("2026-10-01")));
        assert_eq!(periode(d("2026-07-01")), (d("2025-07-01"), d("2026-06-30")));
        assert_eq!(periode(d("2024-02-29")), (d("2023-02-28"), d("2024-02-28")));
    }
}
